package io.tribune.gossip.swim.internal.core;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Vivaldi (SIGCOMM 2004) spring relaxation, driven by hand. */
class VivaldiTest {

    @Test
    void twoNodesLearnTheirRoundTrip() {
        Vivaldi a = new Vivaldi();
        Vivaldi b = new Vivaldi();
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < 200; i++) {
            a.observe(b.coordinate(), 20.0, r);
            b.observe(a.coordinate(), 20.0, r);
        }
        assertEquals(20.0, a.coordinate().rttTo(b.coordinate()), 1.0);
        assertTrue(a.coordinate().error() < 0.2, "error estimate falls as samples agree: " + a.coordinate().error());
    }

    @Test
    void firstSampleMovesByTheHandComputedStepAndSetsTheAdjustment() {
        // Both at the origin, error 1.5, height 0.01 ms; measured 10 ms. Predicted 0.02 ms; weight
        // 1.5 / 3 = 0.5; sample error |0.02 - 10| / 10 = 0.998; error 0.998 * 0.125 + 1.5 * 0.875 =
        // 1.43725; force 0.125 * 9.98 = 1.2475 ms, along a random unit vector; height 0.01 + 1.2475 *
        // 0.02 / 0.02 = 1.2575. New distance 1.2475 + 1.2575 + 0.01 = 2.515, residual 7.485, and the
        // adjustment is 7.485 / (2 * 20) = 0.187125 ms.
        Vivaldi a = new Vivaldi();
        assertEquals(0.0, a.adjustment());
        assertTrue(a.observe(new Vivaldi().coordinate(), 10.0, new SplittableRandom(7)));
        Vivaldi.Coordinate c = a.coordinate();
        assertEquals(1.43725, c.error(), 1e-9);
        assertEquals(1.2575, c.height(), 1e-9);
        double norm = 0;
        for (double x : c.vec()) {
            norm += x * x;
        }
        assertEquals(1.2475, Math.sqrt(norm), 1e-9);
        assertEquals(2.515, c.rttTo(new Vivaldi().coordinate()), 1e-9);
        assertEquals(0.187125, a.adjustment(), 1e-9);
    }

    @Test
    void adjustmentAveragesOnlyTheLastWindowOfResiduals() {
        // Once two nodes agree, residuals near 0 push the early large ones out of the 20-sample ring.
        Vivaldi a = new Vivaldi();
        Vivaldi b = new Vivaldi();
        SplittableRandom r = new SplittableRandom(3);
        a.observe(b.coordinate(), 50.0, r);
        double early = a.adjustment();
        assertTrue(early > 0, "a far first sample leaves a positive residual: " + early);
        for (int i = 0; i < 400; i++) {
            a.observe(b.coordinate(), 50.0, r);
            b.observe(a.coordinate(), 50.0, r);
        }
        assertEquals(20, Vivaldi.ADJUSTMENT_WINDOW);
        assertTrue(Math.abs(a.adjustment()) < 1.0, "converged residuals average out: " + a.adjustment());
    }

    @Test
    void threeNodesOnALineEmbedTheirDistances() {
        // A---10---B---10---C: round trips 10, 10 and 20.
        List<Vivaldi> v = List.of(new Vivaldi(), new Vivaldi(), new Vivaldi());
        double[][] rtt = {{0, 10, 20}, {10, 0, 10}, {20, 10, 0}};
        SplittableRandom r = new SplittableRandom(2);
        for (int i = 0; i < 3000; i++) {
            int x = r.nextInt(3);
            int y = (x + 1 + r.nextInt(2)) % 3;
            v.get(x).observe(v.get(y).coordinate(), rtt[x][y], r);
        }
        for (int x = 0; x < 3; x++) {
            for (int y = x + 1; y < 3; y++) {
                assertEquals(rtt[x][y], v.get(x).coordinate().rttTo(v.get(y).coordinate()), rtt[x][y] * 0.15,
                        x + "->" + y);
            }
        }
    }

    @Test
    void invalidSamplesAreRejectedAndChangeNothing() {
        Vivaldi a = new Vivaldi();
        Vivaldi.Coordinate before = a.coordinate();
        SplittableRandom r = new SplittableRandom(3);
        double[] nan = new double[Vivaldi.DIMENSIONS];
        nan[0] = Double.NaN;
        assertFalse(a.observe(new Vivaldi.Coordinate(nan, 1, 1), 10, r));
        assertFalse(a.observe(new Vivaldi.Coordinate(new double[3], 1, 1), 10, r));
        assertFalse(a.observe(new Vivaldi().coordinate(), 0, r));
        assertFalse(a.observe(new Vivaldi().coordinate(), -5, r));
        assertFalse(a.observe(new Vivaldi().coordinate(), 1e9, r));
        assertEquals(before, a.coordinate());
    }

    @Test
    void coordinateRoundTripsOnTheWireAndBadOnesAreRejected() throws Exception {
        Vivaldi a = new Vivaldi();
        a.observe(new Vivaldi().coordinate(), 15, new SplittableRandom(4));
        Msg.Coord c = new Msg.Coord("a", a.coordinate());
        byte[] wire = WireCodec.encodePacket(List.of(new Msg.Ack(1, "a"), c));
        assertEquals(List.of(new Msg.Ack(1, "a"), c), WireCodec.decodePacket(wire, 0, wire.length));
        double[] huge = new double[Vivaldi.DIMENSIONS];
        huge[3] = 1e300;
        byte[] bad = WireCodec.encodePacket(List.of(new Msg.Coord("a", new Vivaldi.Coordinate(huge, 1, 1))));
        org.junit.jupiter.api.Assertions.assertThrows(MalformedMessageException.class,
                () -> WireCodec.decodePacket(bad, 0, bad.length));
    }
}
