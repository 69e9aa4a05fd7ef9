package io.tribune.agent.rpc;

import io.tribune.state.CommandValidator;
import io.tribune.state.Coordinate;
import java.util.List;

/** Network coordinates (Consul's {@code Coordinate.*}). */
public final class Coordinates {
    private Coordinates() {
    }

    /** The coordinates of every node of the datacenter. */
    public record Nodes() implements Op.Read<List<Coordinate>> {
    }

    /** The coordinates of one node (one per network segment); empty when it has none. */
    public record OfNode(String node) implements Op.Read<List<Coordinate>> {
        public OfNode {
            Fields.name("node name", node);
        }
    }

    /**
     * Records nodes' coordinates. Each must be valid ({@link #problem}): a bad one refuses the whole
     * update with {@code BAD_REQUEST}. A server queues accepted coordinates (the latest per node and
     * segment) and its leader writes them in batches every {@code coordinate_update_period}, so the
     * answer {@code true} means queued, not yet stored; a node the catalog does not know is refused.
     */
    public record Update(List<Coordinate> coordinates) implements Op.Write<Boolean> {
        public Update {
            coordinates = List.copyOf(coordinates);
            if (coordinates.size() > CommandValidator.MAX_COORDINATE_UPDATES) {
                throw AgentException.badRequest("too many coordinates in one update (" + coordinates.size() + " > "
                        + CommandValidator.MAX_COORDINATE_UPDATES + ")");
            }
            for (Coordinate c : coordinates) {
                String p = problem(c);
                if (p != null) {
                    throw AgentException.badRequest(p);
                }
            }
        }
    }

    /**
     * The coordinates of the servers of every datacenter, as this server sees them in the WAN pool
     * (Consul's {@code /v1/coordinate/datacenters}): one entry per WAN member that has a coordinate,
     * whose {@link Coordinate#node()} is the member's WAN name ({@code <node>.<dc>}) and whose
     * {@link Coordinate#segment()} carries its datacenter. Answered by any server from its own view;
     * empty without a WAN pool.
     */
    public record Wan() implements Op.ServerOp<List<Coordinate>> {
    }

    /**
     * Why {@code c} cannot be stored, or null when it can: the node name must be valid, the vector
     * must have {@link NearSort#DIMENSIONS} components, every value must be finite, error and height
     * not negative (Consul refuses the same: a dimensionality mismatch, or an invalid coordinate).
     */
    public static String problem(Coordinate c) {
        if (c.node().isEmpty()) {
            return "coordinate without a node name";
        }
        String who = "coordinate of node '" + abbreviate(c.node()) + "'";
        if (c.vec().size() != NearSort.DIMENSIONS) {
            return who + " has " + c.vec().size() + " dimensions; coordinates have " + NearSort.DIMENSIONS;
        }
        for (double d : c.vec()) {
            if (!Double.isFinite(d)) {
                return who + " is not finite (Vec)";
            }
        }
        if (!Double.isFinite(c.error()) || c.error() < 0) {
            return who + " has an invalid Error " + c.error() + " (must be finite, not negative)";
        }
        if (!Double.isFinite(c.height()) || c.height() < 0) {
            return who + " has an invalid Height " + c.height() + " (must be finite, not negative)";
        }
        if (!Double.isFinite(c.adjustment())) {
            return who + " has an invalid Adjustment " + c.adjustment() + " (must be finite)";
        }
        return null;
    }

    private static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 61) + "...";
    }
}
