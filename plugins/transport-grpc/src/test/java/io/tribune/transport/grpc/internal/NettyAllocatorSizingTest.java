package io.tribune.transport.grpc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class NettyAllocatorSizingTest {

    @Test
    void oneArenaPerTwoEventLoopThreadsRoundedUp() {
        int[][] table = {{1, 1}, {2, 1}, {3, 2}, {4, 2}, {5, 3}, {64, 32}};
        for (int[] row : table) {
            assertEquals(row[1], NettyAllocatorSizing.arenas(row[0]), "threads " + row[0]);
        }
    }

    @Test
    void badThreadCountIsRejectedAndSetsNothing() {
        Properties p = new Properties();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> NettyAllocatorSizing.applyIfAbsent(p, 0));
        assertTrue(e.getMessage().contains("got 0"), e.getMessage());
        assertTrue(p.isEmpty());
    }

    @Test
    void defaultsGiveOneArenaOfEachKindAndOneMibChunks() {
        Properties p = new Properties();
        Map<String, String> set = NettyAllocatorSizing.applyIfAbsent(p, 2);
        assertEquals(Map.of(NettyAllocatorSizing.DIRECT_ARENAS, "1", NettyAllocatorSizing.HEAP_ARENAS, "1",
                NettyAllocatorSizing.MAX_ORDER, "7"), set);
        assertEquals("1", p.getProperty(NettyAllocatorSizing.DIRECT_ARENAS));
        assertEquals("1", p.getProperty(NettyAllocatorSizing.HEAP_ARENAS));
        // 8 KiB pages << 7 = 1 MiB chunks
        assertEquals(1 << 20, 8192 << Integer.parseInt(p.getProperty(NettyAllocatorSizing.MAX_ORDER)));
    }

    @Test
    void userValuesWinAndOnlyTheMissingOnesAreSet() {
        Properties p = new Properties();
        p.setProperty(NettyAllocatorSizing.DIRECT_ARENAS, "8");
        p.setProperty(NettyAllocatorSizing.MAX_ORDER, "9");
        Map<String, String> set = NettyAllocatorSizing.applyIfAbsent(p, 4);
        assertEquals(Map.of(NettyAllocatorSizing.HEAP_ARENAS, "2"), set);
        assertEquals("8", p.getProperty(NettyAllocatorSizing.DIRECT_ARENAS));
        assertEquals("9", p.getProperty(NettyAllocatorSizing.MAX_ORDER));
        assertEquals("2", p.getProperty(NettyAllocatorSizing.HEAP_ARENAS));
        // a second call changes nothing
        assertTrue(NettyAllocatorSizing.applyIfAbsent(p, 1).isEmpty());
        assertEquals("2", p.getProperty(NettyAllocatorSizing.HEAP_ARENAS));
    }
}
