package io.tribune.raft.internal.driver;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tribune.api.consensus.ServerConfigurations;
import io.tribune.api.consensus.ServerInfo;
import io.tribune.api.storage.EntryKind;
import io.tribune.api.storage.LogEntry;
import io.tribune.api.transport.Endpoint;
import io.tribune.raft.internal.core.Message;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Coverage-guided fuzzing (Jazzer) of what a Raft server reads from its peers: the message codec
 * of {@code raft.append} calls and stream chunks ({@link WireCodec}), and the configuration codec
 * that log entries and snapshots carry ({@link ServerConfigurations}).
 *
 * <p>Contracts: both refuse malformed input only with {@link IllegalArgumentException}; what they
 * accept re-encodes to bytes that decode to the same value (the codecs are canonical); counts are
 * checked against their bounds and the remaining input before anything is allocated, so no input
 * allocates without bound. The normal build runs the targets over the seed corpus in
 * {@code src/test/resources/io/tribune/raft/internal/driver/RaftWireFuzzTestInputs/}; see
 * {@code docs/fuzzing.md}.
 */
class RaftWireFuzzTest {
    private static final Path SEEDS = Path.of("src/test/resources/io/tribune/raft/internal/driver/RaftWireFuzzTestInputs");
    private static final Endpoint ME = new Endpoint("10.1.2.3", 8300);

    @FuzzTest(maxDuration = "5m")
    void messageCodec(byte[] data) {
        WireCodec.Envelope env;
        try {
            env = WireCodec.decode(data);
        } catch (IllegalArgumentException refused) {
            return;
        }
        WireCodec.Envelope again = WireCodec.decode(WireCodec.encode(env.sender(), env.messages()));
        assertEquals(env, again, "decode(encode(decode(x))) differs from decode(x)");
    }

    @FuzzTest(maxDuration = "5m")
    void configurationCodec(byte[] data) {
        List<ServerInfo> servers;
        try {
            servers = ServerConfigurations.decode(data, "fuzz");
        } catch (IllegalArgumentException refused) {
            return;
        }
        assertEquals(servers, ServerConfigurations.decode(ServerConfigurations.encode(servers), "again"));
    }

    /** Rewrites the seed corpus; skipped unless {@code -Dtribune.fuzz.write-seeds=true} (run from the module directory). */
    @Test
    @EnabledIfSystemProperty(named = "tribune.fuzz.write-seeds", matches = "true")
    void writeSeedCorpus() throws IOException {
        List<ServerInfo> config = List.of(new ServerInfo("a", ME, true), new ServerInfo("c", new Endpoint("h", 1), false));
        Map<String, List<Message>> messages = Map.of(
                "seed-vote", List.of(new Message.RequestVote("a", "b", 3, 10, 2, true, false),
                        new Message.RequestVoteResponse("b", "a", 3, true, true)),
                "seed-append", List.of(new Message.AppendEntries("a", "b", 4, 9, 2, List.of(
                        new LogEntry(10, 4, EntryKind.COMMAND, new byte[] {1, 2, 3}),
                        new LogEntry(11, 4, EntryKind.NOOP, new byte[0])), 8, 77),
                        new Message.AppendEntriesResponse("b", "a", 4, false, 9, 5, 77, false)),
                "seed-misc", List.of(new Message.Heartbeat("a", "b", 4, 8, 78),
                        new Message.InstallSnapshot("a", "b", 4, 100, 3, config),
                        new Message.TimeoutNow("a", "b", 4),
                        new Message.ReadIndex("b", "a", 4, 12, true),
                        new Message.ReadIndexResponse("a", "b", 4, 12, 99, true, 97)));
        Path m = SEEDS.resolve("messageCodec");
        Files.createDirectories(m);
        for (var e : messages.entrySet()) {
            Files.write(m.resolve(e.getKey()), WireCodec.encode(ME, e.getValue()));
        }
        Path c = SEEDS.resolve("configurationCodec");
        Files.createDirectories(c);
        Files.write(c.resolve("seed-two-servers"), ServerConfigurations.encode(config));
    }
}
