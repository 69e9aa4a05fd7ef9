package io.tribune.agent.rpc;

import io.tribune.state.Coordinate;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * Sorting by estimated round-trip time from a node (Consul's {@code ?near=}), and the distance maths
 * of network coordinates, for every caller that orders results by distance: catalog and health
 * answers, prepared queries, the datacenter list.
 *
 * <p>Distances follow the model Consul's agents publish (Vivaldi with height and adjustment): the
 * Euclidean distance of the vectors plus both heights, plus both adjustments when that stays
 * positive. Coordinates are in seconds.
 *
 * <p>Pure and thread-safe: the methods only read their arguments; lookups are called on the
 * caller's thread, at most once per distinct node of a list.
 */
public final class NearSort {
    /** The dimensionality of the coordinates agents publish (Consul's, and the gossip plugin's). */
    public static final int DIMENSIONS = 8;

    private NearSort() {
    }

    /**
     * The estimated round trip between two coordinates, seconds; empty when their dimensionality
     * differs (a distance between them means nothing).
     */
    public static Optional<Double> rttSeconds(Coordinate a, Coordinate b) {
        if (a.vec().size() != b.vec().size()) {
            return Optional.empty();
        }
        // One formula for the whole system: the membership SPI's, which gossip plugins use too.
        return Optional.of(spi(a).rttSecondsTo(spi(b)));
    }

    private static io.tribune.api.membership.NetworkCoordinate spi(Coordinate c) {
        return new io.tribune.api.membership.NetworkCoordinate(c.vec(), c.error(), c.adjustment(), c.height());
    }

    /**
     * The median of the estimated round trips from {@code from} to each of {@code to} (Consul's
     * estimate of the distance to a datacenter from its servers' coordinates); for an even count, the
     * mean of the two middle values. Empty when none of {@code to} is comparable with {@code from}.
     */
    public static Optional<Double> medianRttSeconds(Coordinate from, List<Coordinate> to) {
        List<Double> ds = new ArrayList<>();
        for (Coordinate c : to) {
            rttSeconds(from, c).ifPresent(ds::add);
        }
        if (ds.isEmpty()) {
            return Optional.empty();
        }
        ds.sort(Comparator.naturalOrder());
        int n = ds.size();
        return Optional.of(n % 2 == 1 ? ds.get(n / 2) : (ds.get(n / 2 - 1) + ds.get(n / 2)) / 2);
    }

    /**
     * {@code items} sorted by the estimated round trip from {@code origin}'s coordinate to the
     * coordinate of each item's node, nearest first. The sort is stable: items at equal distance, and
     * items whose node has no (comparable) coordinate, keep their order, the latter after all others.
     * When {@code origin} has no coordinate the list is returned in its order.
     *
     * @param items  the results to sort; not changed
     * @param nodeOf the node of an item
     * @param origin the node to measure from ({@code ?near=}); the lookup gives its coordinate
     * @param lookup a node's coordinate in the default segment, or empty
     * @return a new, unmodifiable list
     */
    public static <T> List<T> sort(List<T> items, Function<? super T, String> nodeOf, String origin,
                                   Function<String, Optional<Coordinate>> lookup) {
        Objects.requireNonNull(items, "items");
        Objects.requireNonNull(nodeOf, "nodeOf");
        Objects.requireNonNull(origin, "origin");
        Objects.requireNonNull(lookup, "lookup");
        Optional<Coordinate> from = lookup.apply(origin);
        if (from.isEmpty()) {
            return List.copyOf(items);
        }
        java.util.Map<String, Double> memo = new java.util.HashMap<>();
        List<Ranked<T>> ranked = new ArrayList<>(items.size());
        for (T t : items) {
            String node = nodeOf.apply(t);
            double d = memo.computeIfAbsent(node, n -> lookup.apply(n).flatMap(c -> rttSeconds(from.get(), c))
                    .orElse(Double.POSITIVE_INFINITY));
            ranked.add(new Ranked<>(t, d));
        }
        // List.sort is stable, so ties and unknowns keep their order.
        ranked.sort(Comparator.comparingDouble(Ranked::rtt));
        List<T> out = new ArrayList<>(ranked.size());
        ranked.forEach(r -> out.add(r.item()));
        return List.copyOf(out);
    }

    /**
     * A lookup over a list of coordinates (as {@link Coordinates.Nodes} answers): each node's
     * coordinate in the default segment ({@code ""}).
     */
    public static Function<String, Optional<Coordinate>> lookup(List<Coordinate> coordinates) {
        java.util.Map<String, Coordinate> byNode = new java.util.HashMap<>();
        for (Coordinate c : coordinates) {
            if (c.segment().isEmpty()) {
                byNode.put(c.node(), c);
            }
        }
        return n -> Optional.ofNullable(byNode.get(n));
    }

    private record Ranked<T>(T item, double rtt) {
    }
}
