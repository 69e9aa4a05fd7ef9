package io.tribune.client;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.Status;
import io.tribune.api.grpc.v1.DeregisterRequest;
import io.tribune.api.grpc.v1.ErrorReason;
import io.tribune.api.grpc.v1.FireEventRequest;
import io.tribune.api.grpc.v1.HealthCheck;
import io.tribune.api.grpc.v1.HealthStatus;
import io.tribune.api.grpc.v1.KvEntry;
import io.tribune.api.grpc.v1.KvWatchEvent;
import io.tribune.api.grpc.v1.KvWatchRequest;
import io.tribune.api.grpc.v1.MemberStatus;
import io.tribune.api.grpc.v1.Node;
import io.tribune.api.grpc.v1.RegisterRequest;
import io.tribune.api.grpc.v1.Service;
import io.tribune.api.grpc.v1.ServiceHealthResponse;
import io.tribune.api.grpc.v1.SessionCreateRequest;
import io.tribune.api.grpc.v1.TxnOp;
import io.tribune.api.grpc.v1.TxnResponse;
import io.tribune.api.grpc.v1.TxnVerb;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Every service of the gRPC API, through the client, against an in-process dev agent. */
@Timeout(60)
class TribuneClientTest {
    /** How long a watch message that must come may take; generous for a loaded CI machine. */
    static final Duration ARRIVES = Duration.ofSeconds(10);
    /** How long to listen for a message that must not come. */
    static final Duration QUIET = Duration.ofMillis(300);

    static DevAgentFixture dev;
    static TribuneClient client;

    @BeforeAll
    static void start() {
        dev = new DevAgentFixture("clienttest", 18461);
        client = dev.client();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (dev != null) {
            dev.close();
        }
    }

    static byte[] b(String s) {
        return s.getBytes(UTF_8);
    }

    static long applied() {
        return dev.agent.consensus().orElseThrow().appliedIndex();
    }

    static void registerNode(String node, String checkId, HealthStatus status, Service service) {
        RegisterRequest.Builder r = RegisterRequest.newBuilder()
                .setNode(Node.newBuilder().setNode(node).setAddress("10.0.0.1").putMeta("rack", "r1"));
        if (service != null) {
            r.setService(service);
        }
        if (checkId != null) {
            r.addChecks(HealthCheck.newBuilder().setNode(node).setCheckId(checkId).setStatus(status)
                    .setServiceId(service == null ? "" : service.getId()));
        }
        client.catalog().register(r.build());
    }

    // ---- KV

    @Test
    void kvPutGetListKeysCasAndDelete() {
        long i1 = client.kv().put("kv/a", b("1"));
        client.kv().put("kv/b/c", b("2"));
        KvEntry a = client.kv().get("kv/a").orElseThrow();
        assertEquals("1", a.getValue().toStringUtf8());
        assertEquals(i1, a.getModifyIndex());
        assertEquals(List.of("kv/a", "kv/b/c"), client.kv().list("kv/").stream().map(KvEntry::getKey).toList());
        assertEquals(List.of("kv/a", "kv/b/c"), client.kv().keys("kv/"));

        assertFalse(client.kv().cas("kv/a", b("x"), a.getModifyIndex() + 1000), "a stale CAS answers false");
        assertEquals("1", client.kv().get("kv/a").orElseThrow().getValue().toStringUtf8(), "and changes nothing");
        assertTrue(client.kv().cas("kv/a", b("3"), a.getModifyIndex()));
        assertFalse(client.kv().cas("kv/a", b("4"), 0), "cas 0 only creates");
        assertTrue(client.kv().cas("kv/new", b("n"), 0));

        long idx = client.kv().get("kv/a").orElseThrow().getModifyIndex();
        assertFalse(client.kv().deleteCas("kv/a", idx + 1000));
        assertTrue(client.kv().deleteCas("kv/a", idx));
        assertEquals(Optional.empty(), client.kv().get("kv/a"));
        client.kv().deleteTree("kv/");
        assertEquals(List.of(), client.kv().list("kv/"));
        assertTrue(client.kv().delete("kv/never"), "deleting an absent key succeeds");
    }

    @Test
    void asyncCallsCompleteWithResults() throws Exception {
        CompletableFuture<Long> put = client.kv().putAsync("async/k", b("v"));
        long index = put.get(10, TimeUnit.SECONDS);
        Optional<KvEntry> got = client.kv().getAsync("async/k").get(10, TimeUnit.SECONDS);
        assertEquals(index, got.orElseThrow().getModifyIndex());
        CompletableFuture<Optional<KvEntry>> bad = client.kv().getAsync("");
        var e = assertThrows(java.util.concurrent.ExecutionException.class, () -> bad.get(10, TimeUnit.SECONDS));
        assertEquals(Status.Code.INVALID_ARGUMENT, ((TribuneException) e.getCause()).code());
    }

    @Test
    void txnCommitsAllOrNothing() {
        TxnResponse ok = client.kv().txn(List.of(
                TxnOp.newBuilder().setVerb(TxnVerb.TXN_VERB_SET).setKey("txn/a").setValue(ByteString.copyFromUtf8("A"))
                        .build(),
                TxnOp.newBuilder().setVerb(TxnVerb.TXN_VERB_SET).setKey("txn/b").setValue(ByteString.copyFromUtf8("B"))
                        .build(),
                TxnOp.newBuilder().setVerb(TxnVerb.TXN_VERB_GET).setKey("txn/a").build()));
        assertTrue(ok.getCommitted());
        assertEquals(3, ok.getResultsCount());
        assertEquals("A", ok.getResults(2).getValue().toStringUtf8());

        TxnResponse failed = client.kv().txn(List.of(
                TxnOp.newBuilder().setVerb(TxnVerb.TXN_VERB_SET).setKey("txn/c").build(),
                TxnOp.newBuilder().setVerb(TxnVerb.TXN_VERB_CHECK_NOT_EXISTS).setKey("txn/a").build()));
        assertFalse(failed.getCommitted());
        assertEquals(1, failed.getErrorsCount());
        assertEquals(1, failed.getErrors(0).getOpIndex());
        assertEquals(Optional.empty(), client.kv().get("txn/c"), "a failed transaction applies nothing");
    }

    @Test
    void keyWatchReceivesExactlyTheChangesOfItsKey() throws Exception {
        try (Watch<KvWatchEvent> w = client.kv().watch("watch/k")) {
            KvWatchEvent first = w.poll(ARRIVES).orElseThrow();
            assertEquals(0, first.getEntriesCount(), "the key does not exist yet");
            client.kv().put("watch/k2", b("other"));
            client.kv().put("watch/other", b("other"));
            long i1 = client.kv().put("watch/k", b("v1"));
            KvWatchEvent e1 = w.poll(ARRIVES).orElseThrow();
            assertEquals(i1, e1.getIndex(), "the first message after the writes is the key's own change");
            assertEquals("v1", e1.getEntries(0).getValue().toStringUtf8());
            assertEquals("watch/k", e1.getEntries(0).getKey());

            long i2 = client.kv().put("watch/k", b("v2"));
            KvWatchEvent e2 = w.poll(ARRIVES).orElseThrow();
            assertEquals(i2, e2.getIndex());
            assertEquals("v2", e2.getEntries(0).getValue().toStringUtf8());

            client.kv().delete("watch/k");
            KvWatchEvent e3 = w.poll(ARRIVES).orElseThrow();
            assertEquals(0, e3.getEntriesCount(), "the delete arrives as the key's absence");
            assertTrue(e3.getIndex() > e2.getIndex());

            client.kv().put("watch/k2", b("again"));
            client.kv().put("watch/kk", b("again"));
            assertEquals(Optional.empty(), w.poll(QUIET), "writes to other keys send nothing");
        }
    }

    @Test
    void slowReaderGetsTheNewestValueWithIntermediateOnesCoalesced() throws Exception {
        int writes = 100;
        byte[] big = new byte[16 * 1024];
        // A fixed 64 KiB HTTP/2 window (no auto-tuning) so the test does not depend on how far the
        // transport would grow it; the client takes the channel as is.
        io.grpc.ManagedChannel ch = io.grpc.netty.NettyChannelBuilder.forTarget(dev.target).usePlaintext()
                .flowControlWindow(64 * 1024).build();
        try (TribuneClient slow = TribuneClient.builder().channel(ch).build();
             Watch<KvWatchEvent> w = slow.kv().watch("slow/k")) {
            w.poll(ARRIVES).orElseThrow();
            long last = 0;
            for (int i = 1; i <= writes; i++) {
                big[0] = (byte) i;
                last = client.kv().put("slow/k", big);
            }
            // Only now does the reader catch up: HTTP/2 flow control stopped the server after a
            // window's worth of messages, and the changes since were coalesced into the newest.
            int received = 0;
            KvWatchEvent e;
            do {
                e = w.poll(ARRIVES).orElseThrow();
                received++;
            } while (e.getIndex() < last);
            assertEquals(last, e.getIndex());
            assertEquals(writes, e.getEntries(0).getValue().byteAt(0));
            assertTrue(received < writes / 2, "received " + received + " messages for " + writes + " writes");
        } finally {
            ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    @Test
    void closedWatchEndsWithCancelled() throws Exception {
        Watch<KvWatchEvent> w = client.kv().watch("watch/closed");
        w.poll(ARRIVES).orElseThrow();
        w.close();
        TribuneException e = assertThrows(TribuneException.class, () -> w.poll(ARRIVES));
        assertEquals(Status.Code.CANCELLED, e.code());
    }

    @Test
    void prefixWatchAsListenerSeesThePrefixOnly() throws Exception {
        LinkedBlockingQueue<KvWatchEvent> events = new LinkedBlockingQueue<>();
        WatchHandle h = client.kv().watch(KvWatchRequest.newBuilder().setKey("pfx/").setPrefix(true).build(),
                events::add);
        try {
            assertEquals(0, events.poll(ARRIVES.toMillis(), TimeUnit.MILLISECONDS).getEntriesCount());
            client.kv().put("pfx/a", b("1"));
            KvWatchEvent e = events.poll(ARRIVES.toMillis(), TimeUnit.MILLISECONDS);
            assertEquals(List.of("pfx/a"), e.getEntriesList().stream().map(KvEntry::getKey).toList());
            client.kv().put("pfy/a", b("x"));
            client.kv().put("pfx/b", b("2"));
            e = events.poll(ARRIVES.toMillis(), TimeUnit.MILLISECONDS);
            assertEquals(List.of("pfx/a", "pfx/b"), e.getEntriesList().stream().map(KvEntry::getKey).toList(),
                    "the write outside the prefix sent nothing");
        } finally {
            h.close();
        }
    }

    // ---- catalog and health

    @Test
    void catalogRegisterListAndDeregister() {
        Service web = Service.newBuilder().setId("web-1").setService("web").addTags("v1").setPort(8080).build();
        registerNode("cat-n1", null, null, web);
        assertTrue(client.catalog().nodes().stream().anyMatch(n -> n.getNode().equals("cat-n1")
                && n.getMetaMap().get("rack").equals("r1")));
        assertTrue(client.catalog().services().stream().anyMatch(s -> s.getName().equals("web")
                && s.getTagsList().equals(List.of("v1"))));
        var instances = client.catalog().service("web");
        assertEquals(1, instances.size());
        assertEquals("cat-n1", instances.get(0).getNode().getNode());
        assertEquals(8080, instances.get(0).getService().getPort());
        var node = client.catalog().node("cat-n1");
        assertTrue(node.getFound());
        assertEquals("web-1", node.getServices(0).getId());

        client.catalog().deregister(DeregisterRequest.newBuilder().setNode("cat-n1").setServiceId("web-1").build());
        assertEquals(List.of(), client.catalog().service("web"));
        client.catalog().deregister(DeregisterRequest.newBuilder().setNode("cat-n1").build());
        assertFalse(client.catalog().node("cat-n1").getFound());
    }

    @Test
    void healthReadsAndWatchFollowCheckChanges() throws Exception {
        Service api = Service.newBuilder().setId("api-1").setService("api").setPort(9000).build();
        registerNode("hl-n1", "api-alive", HealthStatus.HEALTH_STATUS_PASSING, api);
        try (Watch<ServiceHealthResponse> w = client.health().watch("api", false)) {
            ServiceHealthResponse first = w.poll(ARRIVES).orElseThrow();
            assertEquals(1, first.getInstancesCount());
            assertEquals(HealthStatus.HEALTH_STATUS_PASSING, first.getInstances(0).getAggregateStatus());

            client.kv().put("hl/unrelated", b("x"));
            registerNode("hl-n1", "api-alive", HealthStatus.HEALTH_STATUS_CRITICAL, api);
            ServiceHealthResponse next = w.poll(ARRIVES).orElseThrow();
            assertEquals(HealthStatus.HEALTH_STATUS_CRITICAL, next.getInstances(0).getAggregateStatus());
            assertTrue(next.getMeta().getIndex() > first.getMeta().getIndex());
        }
        assertEquals(0, client.health().service("api", true).getInstancesCount(), "a critical instance is not passing");
        assertEquals(1, client.health().service("api", false).getInstancesCount());
        assertTrue(client.health().node("hl-n1").stream().anyMatch(c -> c.getCheckId().equals("api-alive")));
        assertTrue(client.health().state(HealthStatus.HEALTH_STATUS_CRITICAL).stream()
                .anyMatch(c -> c.getNode().equals("hl-n1")));
    }

    // ---- sessions

    @Test
    void sessionsCreateLockRenewAndDestroy() {
        registerNode("ses-n1", "ses-check", HealthStatus.HEALTH_STATUS_PASSING, null);
        SessionCreateRequest req = SessionCreateRequest.newBuilder().setNode("ses-n1").setName("worker")
                .addNodeChecks("ses-check").setTtlMillis(30_000).build();
        String s1 = client.sessions().create(req);
        String s2 = client.sessions().create(req);
        assertEquals("worker", client.sessions().info(s1).orElseThrow().getName());
        assertTrue(client.sessions().list("ses-n1").stream().anyMatch(s -> s.getId().equals(s1)));

        assertTrue(client.kv().acquire("ses/lock", b("owner1"), s1));
        assertFalse(client.kv().acquire("ses/lock", b("owner2"), s2), "a held lock is not acquired twice");
        assertEquals(s1, client.kv().get("ses/lock").orElseThrow().getSession());
        assertFalse(client.kv().release("ses/lock", b(""), s2), "only the holder releases");
        assertTrue(client.kv().release("ses/lock", b("free"), s1));
        assertEquals("", client.kv().get("ses/lock").orElseThrow().getSession());

        assertEquals(s1, client.sessions().renew(s1).getId());
        assertTrue(client.sessions().destroy(s1));
        assertFalse(client.sessions().destroy(s1), "destroying twice reports it no longer existed");
        assertEquals(Optional.empty(), client.sessions().info(s1));
        TribuneException e = assertThrows(TribuneException.class, () -> client.sessions().renew(s1));
        assertEquals(Status.Code.NOT_FOUND, e.code());
        assertTrue(client.sessions().destroy(s2));
    }

    @Test
    void sessionOnUnknownNodeIsRefusedWithAReason() {
        TribuneException e = assertThrows(TribuneException.class, () -> client.sessions().create(
                SessionCreateRequest.newBuilder().setNode("no-such-node").setNoNodeChecks(true).build()));
        assertTrue(e.code() == Status.Code.NOT_FOUND || e.code() == Status.Code.FAILED_PRECONDITION, e.toString());
        assertTrue(e.reason() == ErrorReason.ERROR_REASON_NOT_FOUND || e.reason() == ErrorReason.ERROR_REASON_REJECTED);
    }

    // ---- events, agent, status

    @Test
    void eventsFireAndList() {
        var fired = client.events().fire("deploy", b("v42"));
        assertEquals("deploy", fired.getName());
        assertTrue(fired.getLtime() > 0);
        var listed = client.events().list("deploy");
        assertTrue(listed.stream().anyMatch(e -> e.getId().equals(fired.getId())
                && e.getPayload().toStringUtf8().equals("v42")));
        assertTrue(client.events().list("other-name").stream().noneMatch(e -> e.getId().equals(fired.getId())));
    }

    @Test
    void agentSelfMembersAndStatusDescribeTheDevServer() {
        var self = client.agent().self();
        assertEquals("clienttest", self.getNodeName());
        assertTrue(self.getServer());
        assertTrue(self.getDev());
        assertEquals("consensus-single", self.getPluginsMap().get("consensus"));
        var members = client.agent().members();
        assertEquals(1, members.size());
        assertEquals(MemberStatus.MEMBER_STATUS_ALIVE, members.get(0).getStatus());
        var leader = client.status().leader();
        assertTrue(leader.getKnown());
        assertEquals("clienttest", leader.getLeaderId());
        assertEquals("127.0.0.1:18461", leader.getLeaderAddress());
        var peers = client.status().peers();
        assertEquals(1, peers.getPeersCount());
        assertTrue(peers.getPeers(0).getVoter());
    }

    // ---- errors

    @Test
    void badInputIsInvalidArgumentAndChangesNothing() {
        long before = applied();
        List<Runnable> bad = List.of(
                () -> client.kv().put("", b("x")),
                () -> client.kv().put("k".repeat(3000), b("x")),
                () -> client.kv().put("bad/big", new byte[600 * 1024]),
                () -> client.kv().acquire("bad/lock", b("x"), "not-a-session"),
                () -> client.kv().txn(List.of()),
                () -> client.kv().txn(List.of(TxnOp.newBuilder().setKey("bad/t").build())),
                () -> client.catalog().register(RegisterRequest.newBuilder().build()),
                () -> client.catalog().register(RegisterRequest.newBuilder().setNode(Node.newBuilder().setNode("bad-n"))
                        .setService(Service.newBuilder().setService("s").setPort(70000)).build()),
                () -> client.sessions().create(SessionCreateRequest.newBuilder().setTtlMillis(5).build()),
                () -> client.sessions().destroy("nope"),
                () -> client.events().fireAsync(FireEventRequest.newBuilder().setName("e")
                        .setPayload(ByteString.copyFrom(new byte[600])).build()).join(),
                () -> client.health().service("", false));
        for (int i = 0; i < bad.size(); i++) {
            int n = i;
            Throwable t = assertThrows(RuntimeException.class, () -> bad.get(n).run(), "case " + n);
            TribuneException e = TribuneException.of(t instanceof java.util.concurrent.CompletionException
                    ? t.getCause() : t);
            assertEquals(Status.Code.INVALID_ARGUMENT, e.code(), "case " + n + ": " + e);
            assertEquals(ErrorReason.ERROR_REASON_INVALID_REQUEST, e.reason(), "case " + n);
            assertFalse(e.getMessage().isBlank());
        }
        assertEquals(before, applied(), "no bad request reached the log");
        assertEquals(List.of(), client.kv().list("bad/"));
        assertFalse(client.catalog().node("bad-n").getFound());
    }

    @Test
    void aDeadlineThatPassesIsDeadlineExceeded() {
        try (TribuneClient hurried = TribuneClient.builder().target(dev.target).deadline(Duration.ofNanos(1)).build()) {
            TribuneException e = assertThrows(TribuneException.class, () -> hurried.kv().get("any"));
            assertEquals(Status.Code.DEADLINE_EXCEEDED, e.code());
        }
    }

    @Test
    void builderRefusesUnusableOptions() {
        assertThrows(IllegalStateException.class, () -> TribuneClient.builder().build());
        assertThrows(IllegalArgumentException.class, () -> TribuneClient.builder().deadline(Duration.ZERO));
        assertThrows(java.io.UncheckedIOException.class,
                () -> TribuneClient.builder().tls(new java.io.File("/nonexistent/" + UUID.randomUUID())));
    }
}
