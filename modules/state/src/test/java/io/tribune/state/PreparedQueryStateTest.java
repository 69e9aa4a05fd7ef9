package io.tribune.state;

import static io.tribune.state.Harness.S1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** The prepared-query table: validation at proposal and apply, lookups, sessions, snapshots (v5, and v4 still read). */
class PreparedQueryStateTest {
    static final String Q1 = "cccccccc-0000-0000-0000-000000000001";
    static final String Q2 = "cccccccc-0000-0000-0000-000000000002";
    static final String Q3 = "cccccccc-0000-0000-0000-000000000003";

    static PreparedQuery query(String id, String name, String service) {
        return new PreparedQuery(id, name, "", "", PreparedQuery.Template.NONE, new PreparedQuery.ServiceQuery(service,
                new PreparedQuery.Failover(2, List.of("dc2", "dc3")), true, "_agent", List.of("v1", "!canary"),
                Map.of("rack", "r1", "az", "a")), "10s", 0, 0);
    }

    static PreparedQuery template(String id, String prefix, String regexp, String service) {
        return new PreparedQuery(id, prefix, "", "", new PreparedQuery.Template(QueryTemplate.NAME_PREFIX_MATCH, regexp,
                false), new PreparedQuery.ServiceQuery(service, null, false, "", List.of(), Map.of()), "", 0, 0);
    }

    static String failure(CommandResult r) {
        return assertInstanceOf(CommandResult.Failed.class, r).message();
    }

    static Optional<String> problem(PreparedQuery q) {
        return CommandValidator.validate(new Command.PreparedQuerySet(q));
    }

    @Test
    void queriesAreStoredByIdKeepTheirCreateIndexAndFreeTheirOldName() {
        Harness h = new Harness();
        Harness.ok(h.run(new Command.PreparedQuerySet(query(Q1, "web", "web"))));
        long created = h.index;
        Harness.ok(h.run(new Command.PreparedQuerySet(query(Q1, "web2", "web"))));
        PreparedQuery q = h.store.preparedQuery(Q1).value().orElseThrow();
        assertEquals("web2", q.name());
        assertEquals(created, q.createIndex());
        assertEquals(h.index, q.modifyIndex());
        assertEquals(h.index, h.store.tableIndex(Table.PREPARED_QUERIES));
        assertTrue(h.store.preparedQueryResolve("web").value().isEmpty());
        assertEquals(Q1, h.store.preparedQueryResolve("web2").value().orElseThrow().id());
        assertEquals(Q1, h.store.preparedQueryResolve(Q1).value().orElseThrow().id());
        assertEquals(new CommandResult.Bool(true), h.run(new Command.PreparedQueryDelete(Q1)));
        assertEquals(new CommandResult.Bool(false), h.run(new Command.PreparedQueryDelete(Q1)));
        assertTrue(h.store.preparedQueries().value().isEmpty());
        assertTrue(h.store.preparedQueryResolve("web2").value().isEmpty());
    }

    @Test
    void namesAreUniqueAndNeverAnotherQuerysIdOrAUuid() {
        Harness h = new Harness();
        Harness.ok(h.run(new Command.PreparedQuerySet(query(Q1, "web", "web"))));
        assertEquals("name 'web' aliases an existing query name",
                failure(h.run(new Command.PreparedQuerySet(query(Q2, "web", "db")))));
        assertTrue(problem(query(Q2, Q1, "web")).orElseThrow().contains("must not be a UUID"));
        // at apply too (a command that skipped validation changes nothing)
        long before = h.store.tableIndex(Table.PREPARED_QUERIES);
        assertTrue(failure(h.run(new Command.PreparedQuerySet(query(Q2, Q1, "web")))).contains("must not be a UUID"));
        assertEquals(before, h.store.tableIndex(Table.PREPARED_QUERIES));
        assertEquals(1, h.store.preparedQueries().value().size());
    }

    @Test
    void oneTemplatePerPrefixAndOnlyOneCatchAll() {
        Harness h = new Harness();
        Harness.ok(h.run(new Command.PreparedQuerySet(template(Q1, "", "", "${name.full}"))));
        assertEquals("a query template with an empty name already exists",
                failure(h.run(new Command.PreparedQuerySet(template(Q2, "", "", "x")))));
        Harness.ok(h.run(new Command.PreparedQuerySet(template(Q2, "geo-", "", "x"))));
        assertTrue(failure(h.run(new Command.PreparedQuerySet(template(Q3, "geo-", "", "y"))))
                .contains("aliases an existing query name"));
        // static names first, then the longest template prefix, then the catch-all
        Harness.ok(h.run(new Command.PreparedQuerySet(query(Q3, "geo-db", "static"))));
        assertEquals(Q3, h.store.preparedQueryResolve("geo-db").value().orElseThrow().id());
        assertEquals(Q2, h.store.preparedQueryResolve("geo-dbx").value().orElseThrow().id());
        assertEquals(Q1, h.store.preparedQueryResolve("web").value().orElseThrow().id());
        assertTrue(h.store.preparedQueryResolve("").value().isEmpty());
    }

    @Test
    void validationRefusesWithConsulsMessages() {
        PreparedQuery ok = query(Q1, "web", "web");
        assertEquals(Optional.empty(), problem(ok));
        assertEquals("Must provide a Service name to query", problem(query(Q1, "web", "")).orElseThrow());
        PreparedQuery badN = ok.withService(new PreparedQuery.ServiceQuery("web",
                new PreparedQuery.Failover(-1, List.of()), false, "", List.of(), Map.of()));
        assertEquals("Bad NearestN '-1', must be >= 0", problem(badN).orElseThrow());
        PreparedQuery badTtl = new PreparedQuery(Q1, "web", "", "", null, ok.service(), "soon", 0, 0);
        assertTrue(problem(badTtl).orElseThrow().startsWith("Bad DNS TTL 'soon'"));
        assertTrue(problem(template(Q1, "x", "", "${nope}")).orElseThrow().contains("unknown interpolation"));
        assertTrue(problem(template(Q1, "x", "([a-", "${match(1)}")).orElseThrow().startsWith("Bad Regexp"));
        PreparedQuery badType = new PreparedQuery(Q1, "x", "", "", new PreparedQuery.Template("prefix", "", false),
                ok.service(), "", 0, 0);
        assertEquals("Bad Template.Type 'prefix'", problem(badType).orElseThrow());
        assertTrue(problem(query("not-a-uuid", "web", "web")).orElseThrow().contains("expected a UUID"));
        assertTrue(problem(query(Q1, "w".repeat(513), "web")).orElseThrow().contains("longer than 512"));
        PreparedQuery manyTags = ok.withService(new PreparedQuery.ServiceQuery("web", null, false, "",
                java.util.Collections.nCopies(257, "t"), Map.of()));
        assertTrue(problem(manyTags).orElseThrow().contains("more than 256"));
    }

    @Test
    void aQueryNeedsAnExistingSessionAndGoesWhenTheSessionIsInvalidated() {
        Harness h = new Harness();
        PreparedQuery bound = new PreparedQuery(Q1, "web", S1, "", null, query(Q1, "", "web").service(), "", 0, 0);
        assertEquals("invalid session '" + S1 + "'", failure(h.run(new Command.PreparedQuerySet(bound))));
        h.node("n1");
        h.session(S1, "n1", SessionBehavior.RELEASE, 0, 0, List.of(), 0);
        Harness.ok(h.run(new Command.PreparedQuerySet(bound)));
        Harness.ok(h.run(new Command.PreparedQuerySet(query(Q2, "db", "db"))));
        CompletableFuture<Long> watch = h.store.watch(WatchTarget.table(Table.PREPARED_QUERIES), h.index);
        assertEquals(new CommandResult.Bool(true), h.run(new Command.SessionDestroy(S1, 0)));
        h.drain();
        assertTrue(watch.isDone(), "deleting the query wakes watchers of the table");
        assertTrue(h.store.preparedQuery(Q1).value().isEmpty());
        assertTrue(h.store.preparedQuery(Q2).value().isPresent());
        assertTrue(h.store.preparedQueryResolve("web").value().isEmpty());
    }

    @Test
    void commandsRoundTripThroughTheCodecWithTagsOfTheirOwn() {
        PreparedQuery full = new PreparedQuery(Q1, "geo-", S1, "tok", new PreparedQuery.Template(
                QueryTemplate.NAME_PREFIX_MATCH, "^geo-(.*)$", true), query(Q1, "", "${match(1)}").service(), "5s", 3, 4);
        for (Command c : List.of(new Command.PreparedQuerySet(full), new Command.PreparedQueryDelete(Q1))) {
            assertEquals(c, Command.decode(c.encode()), c.getClass().getSimpleName());
            int tag = c.encode()[1] & 0xff;
            assertTrue(tag >= 110 && tag <= 119, "tag " + tag);
        }
    }

    @Test
    void snapshotVersionFiveCarriesQueriesTheirIndexesAndDerivedLookups() throws IOException {
        Harness h = new Harness();
        h.put("k", "v");
        h.node("n1");
        h.session(S1, "n1", SessionBehavior.RELEASE, 0, 0, List.of(), 0);
        h.run(new Command.PreparedQuerySet(new PreparedQuery(Q1, "web", S1, "t", null,
                query(Q1, "", "web").service(), "10s", 0, 0)));
        h.run(new Command.PreparedQuerySet(template(Q2, "geo-", "^geo-(.*)$", "${match(1)}")));
        byte[] bytes = SnapshotTest.snapshotBytes(h.store);
        assertEquals(5, bytes[11], "the prepared-query format version");
        StateStore copy = new StateStore(Runnable::run);
        copy.restore(h.index, 1, new ByteArrayInputStream(bytes));
        assertEquals(h.store.preparedQueries(), copy.preparedQueries());
        assertEquals(Q2, copy.preparedQueryResolve("geo-db").value().orElseThrow().id());
        for (Table t : Table.values()) {
            assertEquals(h.store.tableIndex(t), copy.tableIndex(t), t.name());
        }
        assertArrayEquals(bytes, SnapshotTest.snapshotBytes(copy));
        // the session index is rebuilt: invalidating the session deletes the query in the copy too
        copy.apply(h.index + 1, new Command.SessionDestroy(S1, 0));
        assertTrue(copy.preparedQuery(Q1).value().isEmpty());
        // every query deleted: still version 5, so that the table's index survives
        h.run(new Command.PreparedQueryDelete(Q1));
        h.run(new Command.PreparedQueryDelete(Q2));
        byte[] empty = SnapshotTest.snapshotBytes(h.store);
        assertEquals(5, empty[11]);
        StateStore again = new StateStore(Runnable::run);
        again.restore(h.index, 1, new ByteArrayInputStream(empty));
        assertEquals(h.index, again.tableIndex(Table.PREPARED_QUERIES));
        // a corrupted query section is refused as a whole
        byte[] bad = bytes.clone();
        bad[bad.length - 10] ^= 1;
        assertThrows(IOException.class, () -> new StateStore(Runnable::run).restore(h.index, 1,
                new ByteArrayInputStream(bad)));
    }

    @Test
    void versionFourSnapshotWrittenBeforePreparedQueriesStillRestoresAndRewritesAlike() throws IOException {
        byte[] v4;
        try (InputStream in = getClass().getResourceAsStream("snapshot-v4.hex")) {
            v4 = HexFormat.of().parseHex(new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim());
        }
        assertEquals(4, v4[11]);
        StateStore s = new StateStore(Runnable::run);
        s.restore(5, 1, new ByteArrayInputStream(v4));
        assertEquals("one", new String(s.kvGet("a/1").value().orElseThrow().value(), StandardCharsets.UTF_8));
        assertEquals("app", s.aclPolicyByName("app").value().orElseThrow().name());
        assertEquals(1, s.dedupEntries());
        assertTrue(s.preparedQueries().value().isEmpty());
        assertEquals(0, s.tableIndex(Table.PREPARED_QUERIES));
        assertArrayEquals(v4, SnapshotTest.snapshotBytes(s), "a store without queries writes version 4 unchanged");
        s.apply(6, new Command.PreparedQuerySet(query(Q1, "web", "web")));
        byte[] v5 = SnapshotTest.snapshotBytes(s);
        assertEquals(5, v5[11]);
        StateStore copy = new StateStore(Runnable::run);
        copy.restore(6, 1, new ByteArrayInputStream(v5));
        assertEquals("app", copy.aclPolicyByName("app").value().orElseThrow().name());
        assertEquals(1, copy.dedupEntries());
        assertEquals(Q1, copy.preparedQueryResolve("web").value().orElseThrow().id());
    }

    @Test
    void queryWritesWakeWatchersOfTheirTableOnly() {
        Harness h = new Harness();
        h.put("k", "v");
        CompletableFuture<Long> queries = h.store.watch(WatchTarget.table(Table.PREPARED_QUERIES), h.index);
        CompletableFuture<Long> kv = h.store.watch(WatchTarget.kvKey("k"), h.index);
        h.run(new Command.PreparedQuerySet(query(Q1, "web", "web")));
        h.drain();
        assertTrue(queries.isDone());
        assertFalse(kv.isDone());
    }
}
