package io.tribune.agent.rpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.state.Coordinate;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/** Distance maths against hand-computed values, the median, sorting, and refusal of bad coordinates. */
class NearSortTest {

    static Coordinate at(String node, double x, double y, double height, double adjustment) {
        List<Double> vec = new ArrayList<>(List.of(x, y));
        while (vec.size() < NearSort.DIMENSIONS) {
            vec.add(0.0);
        }
        return new Coordinate(node, "", vec, 0.5, adjustment, height);
    }

    @Test
    void distanceIsEuclideanPlusHeightsPlusAdjustments() {
        // (0.003, 0.004) to the origin: 0.005 s; heights 0.001 + 0.002: 0.008 s.
        Coordinate a = at("a", 0.003, 0.004, 0.001, 0);
        Coordinate b = at("b", 0, 0, 0.002, 0);
        assertEquals(0.008, NearSort.rttSeconds(a, b).orElseThrow(), 1e-12);
        assertEquals(0.008, NearSort.rttSeconds(b, a).orElseThrow(), 1e-12, "symmetric");
        // Adjustments -0.001 and +0.0005 move it to 0.0075.
        assertEquals(0.0075, NearSort.rttSeconds(at("a", 0.003, 0.004, 0.001, -0.001),
                at("b", 0, 0, 0.002, 0.0005)).orElseThrow(), 1e-12);
        // Adjustments that would make it negative are ignored: the raw 0.008 stays.
        assertEquals(0.008, NearSort.rttSeconds(at("a", 0.003, 0.004, 0.001, -0.01),
                at("b", 0, 0, 0.002, -0.01)).orElseThrow(), 1e-12);
        // Different dimensionality: no estimate.
        assertTrue(NearSort.rttSeconds(a, new Coordinate("c", "", List.of(1.0), 0, 0, 0)).isEmpty());
    }

    @Test
    void medianOverServersOddAndEven() {
        Coordinate from = at("me", 0, 0, 0, 0);
        // Distances 0.010, 0.030, 0.020 -> median 0.020; with 0.040 added -> (0.020 + 0.030) / 2.
        List<Coordinate> three = List.of(at("s1", 0.010, 0, 0, 0), at("s2", 0.030, 0, 0, 0), at("s3", 0.020, 0, 0, 0));
        assertEquals(0.020, NearSort.medianRttSeconds(from, three).orElseThrow(), 1e-12);
        List<Coordinate> four = new ArrayList<>(three);
        four.add(at("s4", 0.040, 0, 0, 0));
        assertEquals(0.025, NearSort.medianRttSeconds(from, four).orElseThrow(), 1e-12);
        assertTrue(NearSort.medianRttSeconds(from, List.of()).isEmpty());
    }

    @Test
    void sortsNearestFirstStableWithUnknownNodesLast() {
        Map<String, Coordinate> cs = Map.of("origin", at("origin", 0, 0, 0, 0), "near", at("near", 0.001, 0, 0, 0),
                "mid", at("mid", 0.005, 0, 0, 0), "mid2", at("mid2", 0, 0.005, 0, 0), "far", at("far", 0.1, 0, 0, 0));
        Function<String, Optional<Coordinate>> lookup = n -> Optional.ofNullable(cs.get(n));
        List<String> in = List.of("far", "unknown1", "mid", "near", "unknown2", "mid2", "origin");
        assertEquals(List.of("origin", "near", "mid", "mid2", "far", "unknown1", "unknown2"),
                NearSort.sort(in, n -> n, "origin", lookup));
        // From "far" (0.1, 0): mid 0.095, near 0.099, origin 0.1, mid2 sqrt(0.1² + 0.005²) = 0.100125.
        assertEquals(List.of("far", "mid", "near", "origin", "mid2", "unknown1", "unknown2"),
                NearSort.sort(in, n -> n, "far", lookup));
        // An origin without a coordinate leaves the order as it was.
        assertEquals(in, NearSort.sort(in, n -> n, "nobody", lookup));
    }

    @Test
    void lookupTakesTheDefaultSegmentOnly() {
        Coordinate seg = new Coordinate("n", "alpha", at("n", 1, 0, 0, 0).vec(), 0, 0, 0);
        Coordinate def = at("n", 2, 0, 0, 0);
        assertEquals(def, NearSort.lookup(List.of(seg, def)).apply("n").orElseThrow());
        assertTrue(NearSort.lookup(List.of(seg)).apply("n").isEmpty());
    }

    @Test
    void invalidCoordinatesAreRefusedWithAClearError() {
        assertNull(Coordinates.problem(at("n", 0.1, 0.2, 0.0001, 0)));
        var e = assertThrows(AgentException.class, () -> new Coordinates.Update(List.of(
                new Coordinate("n", "", List.of(0.1, 0.2), 1.5, 0, 0))));
        assertEquals(AgentException.Kind.BAD_REQUEST, e.kind());
        assertTrue(e.getMessage().contains("has 2 dimensions; coordinates have 8"), e.getMessage());
        e = assertThrows(AgentException.class, () -> new Coordinates.Update(List.of(at("ok", 0, 0, 0, 0),
                at("nan", Double.NaN, 0, 0, 0))));
        assertTrue(e.getMessage().contains("coordinate of node 'nan' is not finite"), e.getMessage());
        e = assertThrows(AgentException.class, () -> new Coordinates.Update(List.of(at("h", 0, 0, -1, 0))));
        assertTrue(e.getMessage().contains("invalid Height"), e.getMessage());
        e = assertThrows(AgentException.class, () -> new Coordinates.Update(List.of(
                new Coordinate("e", "", at("e", 0, 0, 0, 0).vec(), Double.POSITIVE_INFINITY, 0, 0))));
        assertTrue(e.getMessage().contains("invalid Error"), e.getMessage());
    }
}
