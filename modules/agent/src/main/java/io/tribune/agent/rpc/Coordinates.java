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

    /** Records nodes' coordinates. */
    public record Update(List<Coordinate> coordinates) implements Op.Write<Boolean> {
        public Update {
            coordinates = List.copyOf(coordinates);
            if (coordinates.size() > CommandValidator.MAX_COORDINATE_UPDATES) {
                throw AgentException.badRequest("too many coordinates in one update (" + coordinates.size() + " > "
                        + CommandValidator.MAX_COORDINATE_UPDATES + ")");
            }
        }
    }
}
