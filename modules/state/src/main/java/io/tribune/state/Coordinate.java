package io.tribune.state;

import java.util.List;
import java.util.Objects;

/**
 * A node's network coordinate (Vivaldi), with the fields of Consul's {@code /v1/coordinate} JSON.
 *
 * @param node       the node ({@code Node})
 * @param segment    network segment, "" for the default ({@code Segment})
 * @param vec        the Euclidean part ({@code Coord.Vec}); immutable
 * @param error      confidence ({@code Coord.Error})
 * @param adjustment adjustment term ({@code Coord.Adjustment})
 * @param height     height term ({@code Coord.Height})
 */
public record Coordinate(String node, String segment, List<Double> vec, double error, double adjustment,
                         double height) {

    /** Copies the vector. */
    public Coordinate {
        Objects.requireNonNull(node, "node");
        segment = segment == null ? "" : segment;
        vec = vec == null ? List.of() : List.copyOf(vec);
    }
}
