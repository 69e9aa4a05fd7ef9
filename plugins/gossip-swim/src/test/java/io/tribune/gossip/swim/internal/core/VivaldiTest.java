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
