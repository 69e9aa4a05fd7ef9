package io.tribune.raft.internal.core;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.api.consensus.ServerConfigurations;
import io.tribune.api.consensus.ServerInfo;
import io.tribune.api.transport.Endpoint;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The shared configuration codec as raft uses it for CONFIGURATION entries, snapshot metadata and
 * InstallSnapshot: the bytes written by raft's own codec before it moved to the SPI (and by
 * consensus-single's, which wrote the same format) still decode, encoding reproduces them, and
 * malformed input fails with a message that says what is wrong.
 */
class ServerConfigurationsTest {
    /** What raft's ConfigurationCodec.encode (and consensus-single's) wrote for {@link #GOLDEN_SERVERS}, captured from that code. */
    static final String GOLDEN = "010000000200026e31000831302e302e302e310000206c0100087365727665722d32000e686f73742d622e6578"
            + "616d706c650000206d00";
    static final List<ServerInfo> GOLDEN_SERVERS = List.of(new ServerInfo("n1", new Endpoint("10.0.0.1", 8300), true),
            new ServerInfo("server-2", new Endpoint("host-b.example", 8301), false));

    private static byte[] hex(String s) {
        return HexFormat.of().parseHex(s);
    }

    private static String error(byte[] data) {
        return assertThrows(IllegalArgumentException.class, () -> ServerConfigurations.decode(data)).getMessage();
    }

    @Test
    void bytesWrittenBeforeTheMoveStillDecodeAndEncodeTheSame() {
        assertEquals(GOLDEN_SERVERS, ServerConfigurations.decode(hex(GOLDEN)));
        assertArrayEquals(hex(GOLDEN), ServerConfigurations.encode(GOLDEN_SERVERS));
    }

    @Test
    void roundTripsKeepOrderAndBounds() {
        assertEquals(List.of(), ServerConfigurations.decode(new byte[0]), "empty bytes: no configuration stored");
        assertEquals(List.of(), ServerConfigurations.decode(ServerConfigurations.encode(List.of())));
        List<ServerInfo> many = new ArrayList<>();
        for (int i = 0; i < ServerConfigurations.MAX_SERVERS; i++) {
            many.add(new ServerInfo("s" + (ServerConfigurations.MAX_SERVERS - i), new Endpoint("h" + i, i), i % 2 == 0));
        }
        assertEquals(many, ServerConfigurations.decode(ServerConfigurations.encode(many)));
        ServerInfo longest = new ServerInfo("i".repeat(ServerConfigurations.MAX_ID_LENGTH),
                new Endpoint("h".repeat(ServerConfigurations.MAX_HOST_LENGTH), 65535), true);
        assertEquals(List.of(longest), ServerConfigurations.decode(ServerConfigurations.encode(List.of(longest))));
    }

    @Test
    void malformedInputFailsWithAClearMessage() {
        assertTrue(error(hex("02")).contains("unknown version 2"));
        assertTrue(error(hex("01ffffffff")).contains("holds -1 servers"));
        assertTrue(error(hex("0100000401")).contains("holds 1025 servers"));
        assertTrue(error(hex("0100000003")).contains("claims 3 servers in 0 bytes"));
        assertTrue(error(hex("01000000")).contains("truncated"));
        byte[] golden = hex(GOLDEN);
        assertTrue(error(java.util.Arrays.copyOf(golden, golden.length - 3)).contains("truncated"));
        byte[] trailing = java.util.Arrays.copyOf(golden, golden.length + 1);
        assertTrue(error(trailing).contains("1 trailing bytes"));
        byte[] voterTwo = golden.clone();
        voterTwo[voterTwo.length - 1] = 2;
        assertTrue(error(voterTwo).contains("voter flag 2"));
        // id "", host "h", port 1, voter
        assertTrue(error(hex("0100000001" + "0000" + "000168" + "00000001" + "01")).contains("id of 0 characters"));
        // id "a", host "", port 1
        assertTrue(error(hex("0100000001" + "000161" + "0000" + "00000001" + "01")).contains("host of 0 characters"));
        // id "a", host "h", port 70000
        assertTrue(error(hex("0100000001" + "000161" + "000168" + "00011170" + "01")).contains("port 70000"));
        // the same server twice
        String one = "000161" + "000168" + "00000001" + "01";
        assertTrue(error(hex("0100000002" + one + one)).contains("'a' appears twice"));
        // an id of 257 characters
        String longId = "0101" + "61".repeat(257);
        assertTrue(error(hex("0100000001" + longId + "000168" + "00000001" + "01")).contains("257 characters"));
        // not modified UTF-8
        assertTrue(error(hex("0100000001" + "0001ff" + "000168" + "00000001" + "01")).contains("undecodable"));
        IllegalArgumentException where = assertThrows(IllegalArgumentException.class,
                () -> ServerConfigurations.decode(hex("02"), "log entry 7"));
        assertTrue(where.getMessage().startsWith("log entry 7: malformed server configuration"), where.getMessage());
    }

    @Test
    void encodeAndValidateRefuseWhatCouldNotBeReadBack() {
        ServerInfo a = new ServerInfo("a", new Endpoint("h", 1), true);
        assertThrows(IllegalArgumentException.class, () -> ServerConfigurations.encode(List.of(a, a)));
        assertThrows(IllegalArgumentException.class, () -> ServerConfigurations.encode(
                List.of(new ServerInfo("", new Endpoint("h", 1), true))));
        assertThrows(IllegalArgumentException.class, () -> ServerConfigurations.encode(
                List.of(new ServerInfo("x".repeat(257), new Endpoint("h", 1), true))));
        assertThrows(IllegalArgumentException.class, () -> ServerConfigurations.encode(
                List.of(new ServerInfo("a", new Endpoint("h".repeat(256), 1), true))));
        List<ServerInfo> tooMany = new ArrayList<>();
        for (int i = 0; i <= ServerConfigurations.MAX_SERVERS; i++) {
            tooMany.add(new ServerInfo("s" + i, new Endpoint("h", 1), true));
        }
        assertThrows(IllegalArgumentException.class, () -> ServerConfigurations.encode(tooMany));
        ServerConfigurations.validate(List.of(a));
        IllegalArgumentException noVoter = assertThrows(IllegalArgumentException.class, () -> ServerConfigurations.validate(
                List.of(new ServerInfo("a", new Endpoint("h", 1), false))));
        assertTrue(noVoter.getMessage().contains("at least one voter"));
    }
}
