package io.tribune.launcher;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.tribune.agent.rpc.NearSort;
import io.tribune.state.Coordinate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code tribune rtt [-wan] <node1> [<node2>]}: the estimated round trip between two nodes from their
 * network coordinates, printed as Consul's {@code consul rtt} prints it. Without {@code node2} the
 * agent's own node is used. LAN coordinates come from {@code /v1/coordinate/nodes}; with {@code -wan},
 * node names are {@code <node>.<dc>} and the servers' WAN coordinates come from
 * {@code /v1/coordinate/datacenters}. Exit code 1 when a node has no coordinate.
 */
@Command(addMethodSubcommands = false, name = "rtt", description = "Estimates the network round trip time between two nodes from their coordinates.")
final class RttCommand extends ClientCommands.Base {
    @Option(names = {"-wan", "--wan"}, description = "use WAN coordinates of servers; names are <node>.<dc>")
    boolean wan;

    @Parameters(arity = "1..2", paramLabel = "NODE")
    List<String> nodes;

    @Override
    int run() throws ApiClient.ApiException {
        String a = nodes.get(0);
        String b;
        if (nodes.size() > 1) {
            b = nodes.get(1);
        } else {
            JsonObject cfg = JsonParser.parseString(api().callText("GET", "/v1/agent/self")).getAsJsonObject()
                    .getAsJsonObject("Config");
            String self = cfg.get("NodeName").getAsString();
            b = wan ? self + "." + cfg.get("Datacenter").getAsString().toLowerCase(Locale.ROOT) : self;
        }
        List<Coordinate> all = wan ? wanCoordinates() : lanCoordinates();
        Optional<Coordinate> ca = find(all, a);
        Optional<Coordinate> cb = find(all, b);
        if (ca.isEmpty()) {
            err().println("Error! Could not find a coordinate for node \"" + a + "\"");
            return 1;
        }
        if (cb.isEmpty()) {
            err().println("Error! Could not find a coordinate for node \"" + b + "\"");
            return 1;
        }
        Optional<Double> rtt = NearSort.rttSeconds(ca.get(), cb.get());
        if (rtt.isEmpty()) {
            err().println("Error! The coordinates of \"" + a + "\" and \"" + b + "\" are not comparable");
            return 1;
        }
        out().println(format(a, b, rtt.get(), wan));
        return 0;
    }

    /** Consul's line: {@code Estimated a <-> b rtt: 1.234 ms (using LAN coordinates)}. */
    static String format(String a, String b, double rttSeconds, boolean wan) {
        return String.format(Locale.ROOT, "Estimated %s <-> %s rtt: %.3f ms (using %s coordinates)", a, b,
                rttSeconds * 1000.0, wan ? "WAN" : "LAN");
    }

    private static Optional<Coordinate> find(List<Coordinate> all, String node) {
        return all.stream().filter(c -> c.node().equals(node) && c.segment().isEmpty()).findFirst();
    }

    private List<Coordinate> lanCoordinates() throws ApiClient.ApiException {
        List<Coordinate> out = new ArrayList<>();
        for (JsonElement e : JsonParser.parseString(api().callText("GET", "/v1/coordinate/nodes")).getAsJsonArray()) {
            out.add(coordinate(e.getAsJsonObject()));
        }
        return out;
    }

    private List<Coordinate> wanCoordinates() throws ApiClient.ApiException {
        List<Coordinate> out = new ArrayList<>();
        for (JsonElement dc : JsonParser.parseString(api().callText("GET", "/v1/coordinate/datacenters"))
                .getAsJsonArray()) {
            for (JsonElement e : dc.getAsJsonObject().getAsJsonArray("Coordinates")) {
                out.add(coordinate(e.getAsJsonObject()));
            }
        }
        return out;
    }

    private static Coordinate coordinate(JsonObject o) {
        JsonObject c = o.getAsJsonObject("Coord");
        List<Double> vec = new ArrayList<>();
        c.getAsJsonArray("Vec").forEach(x -> vec.add(x.getAsDouble()));
        String segment = o.has("Segment") && !o.get("Segment").isJsonNull() ? o.get("Segment").getAsString() : "";
        return new Coordinate(o.get("Node").getAsString(), segment, vec, c.get("Error").getAsDouble(),
                c.get("Adjustment").getAsDouble(), c.get("Height").getAsDouble());
    }

}
