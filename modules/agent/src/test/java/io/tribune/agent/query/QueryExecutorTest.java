package io.tribune.agent.query;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.Catalog;
import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.Queries;
import io.tribune.agent.rpc.Requests;
import io.tribune.agent.rpc.Response;
import io.tribune.state.Node;
import io.tribune.state.NodeService;
import io.tribune.state.PreparedQuery;
import io.tribune.state.QueryTemplate;
import io.tribune.state.ServiceHealth;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/**
 * The failover of an execution, on a request layer stand-in that records every call: which
 * datacenters are asked, in which order, with what, and what the answer says.
 */
class QueryExecutorTest {
    static final ServiceHealth WEB = new ServiceHealth(Node.of("w", "10.0.0.1"), NodeService.of("web", "web", 80),
            List.of());

    /** Answers Run in dc1 with no instance; RunRemote per datacenter from {@code remote}; records calls. */
    static final class Fake implements Requests {
        final List<String> calls = new ArrayList<>();
        final PreparedQuery.Failover failover;
        final Map<String, String> remote;

        Fake(PreparedQuery.Failover failover, Map<String, String> remote) {
            this.failover = failover;
            this.remote = remote;
        }

        @SuppressWarnings("unchecked")
        @Override
        public <R> CompletableFuture<Response<R>> call(Op<R> op, Options options) {
            String dc = options.datacenter();
            if (op instanceof Queries.Run r) {
                calls.add("Run@" + dc + ":" + r.idOrName() + ":token=" + options.token());
                PreparedQuery q = new PreparedQuery("cccccccc-0000-4000-8000-000000000001", "geo-", "", "",
                        new PreparedQuery.Template(QueryTemplate.NAME_PREFIX_MATCH, "^geo-(.*)$", false),
                        new PreparedQuery.ServiceQuery("web", failover, false, "", List.of(), Map.of()), "3s", 1, 1);
                return done((R) new Queries.Result(q, List.of(), "dc1", 0));
            }
            if (op instanceof Catalog.Datacenters) {
                calls.add("Datacenters@" + dc);
                return done((R) List.of("dc1", "dc4", "dc2", "dc3"));
            }
            if (op instanceof Queries.RunRemote r) {
                calls.add("RunRemote@" + dc + ":" + r.query().service().service() + ":template="
                        + r.query().template().type() + ":limit=" + r.limit());
                String what = remote.getOrDefault(dc, "empty");
                if (what.equals("fail")) {
                    return CompletableFuture.failedFuture(new AgentException(AgentException.Kind.NO_PATH_TO_DATACENTER,
                            "No path to datacenter"));
                }
                return done((R) new Queries.Result(r.query(), what.equals("found") ? List.of(WEB) : List.of(), dc, 0));
            }
            throw new AssertionError("unexpected " + op);
        }

        private static <R> CompletableFuture<Response<R>> done(R v) {
            return CompletableFuture.completedFuture(new Response<>(v, Response.Meta.NONE));
        }
    }

    static Queries.Result run(Fake f) {
        return new QueryExecutor(f, "me", "").execute(new Queries.Execute("geo-web", "", 2),
                Options.DEFAULT.withToken("t1")).join();
    }

    @Test
    void nearestThenListedDatacentersInOrderUntilOneHasAnInstance() {
        Fake f = new Fake(new PreparedQuery.Failover(1, List.of("dc3", "dc4", "dc2")), Map.of("dc4", "fail",
                "dc3", "empty", "dc2", "found"));
        Queries.Result r = run(f);
        assertEquals(List.of("Run@:geo-web:token=t1", "Datacenters@",
                "RunRemote@dc4:web:template=:limit=2", "RunRemote@dc3:web:template=:limit=2",
                "RunRemote@dc2:web:template=:limit=2"), f.calls, "the rendered query goes as a static one");
        assertEquals("dc2", r.datacenter());
        assertEquals(3, r.failovers(), "a datacenter that failed counts as tried");
        assertEquals(List.of(WEB), r.nodes());
    }

    @Test
    void theFirstDatacenterWithAnInstanceEndsTheFailover() {
        Fake f = new Fake(new PreparedQuery.Failover(3, List.of()), Map.of("dc4", "found", "dc2", "found"));
        Queries.Result r = run(f);
        assertEquals("dc4", r.datacenter());
        assertEquals(1, r.failovers());
        assertEquals(3, f.calls.size());
    }

    @Test
    void noneFoundAnswersTheAskedDatacentersEmptyResultWithTheCountTried() {
        Fake f = new Fake(new PreparedQuery.Failover(0, List.of("dc3", "dc9")), Map.of());
        Queries.Result r = run(f);
        assertEquals("dc1", r.datacenter());
        assertEquals(1, r.failovers(), "dc9 is unknown to the WAN pool and not asked");
        assertTrue(r.nodes().isEmpty());
        assertEquals("3s", r.query().dnsTtl());
    }

    @Test
    void withoutAFailoverPolicyNoOtherDatacenterIsAsked() {
        Fake f = new Fake(PreparedQuery.Failover.NONE, Map.of("dc2", "found"));
        Queries.Result r = run(f);
        assertEquals(List.of("Run@:geo-web:token=t1"), f.calls);
        assertEquals(0, r.failovers());
    }
}
