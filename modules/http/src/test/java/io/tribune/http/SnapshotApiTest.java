package io.tribune.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.agent.rpc.SnapshotArchive;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@code /v1/snapshot} save and restore on a dev agent (single server, where restore is allowed). */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SnapshotApiTest {
    private static DevAgent a;

    @BeforeAll
    static void start() throws Exception {
        a = DevAgent.start("snaptest", 18422);
    }

    @AfterAll
    static void stop() {
        if (a != null) {
            a.close();
        }
    }

    private static HttpResponse<byte[]> save() throws Exception {
        HttpResponse<byte[]> r = a.http.send(HttpRequest.newBuilder(URI.create(a.base + "/v1/snapshot"))
                .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofByteArray());
        assertEquals(200, r.statusCode(), new String(r.body(), StandardCharsets.UTF_8));
        return r;
    }

    private static HttpResponse<String> restore(byte[] body) throws Exception {
        return a.http.send(HttpRequest.newBuilder(URI.create(a.base + "/v1/snapshot")).timeout(Duration.ofSeconds(30))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String raw(String key) throws Exception {
        HttpResponse<String> r = a.send("GET", "/v1/kv/" + key + "?raw", null);
        return r.statusCode() == 404 ? null : r.body();
    }

    @Test
    void restoreBringsBackTheSavedStateAndLaterWritesStillApply() throws Exception {
        a.put("/v1/kv/snap/a", "one");
        a.put("/v1/kv/snap/b", "two");
        HttpResponse<byte[]> saved = save();
        byte[] snap = saved.body();
        // Consul's archive: meta.json (with the index the header gives), then Tribune's state file.
        SnapshotArchive.Contents c = SnapshotArchive.read(snap, Long.MAX_VALUE);
        assertEquals("TRIBSNAP", new String(Arrays.copyOf(c.state(), 8), StandardCharsets.US_ASCII));
        long index = Long.parseLong(saved.headers().firstValue("X-Consul-Index").orElseThrow());
        assertTrue(index > 0);
        assertEquals(index, c.meta().index());
        assertEquals(c.state().length, c.meta().size());
        assertTrue(c.meta().id().startsWith(c.meta().term() + "-" + index + "-"), c.meta().id());
        assertEquals("application/x-gzip", saved.headers().firstValue("Content-Type").orElseThrow());

        a.put("/v1/kv/snap/a", "changed");
        assertEquals(200, a.send("DELETE", "/v1/kv/snap/b", null).statusCode());
        a.put("/v1/kv/snap/c", "new");

        HttpResponse<String> r = restore(snap);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("one", raw("snap/a"));
        assertEquals("two", raw("snap/b"));
        assertEquals(null, raw("snap/c"));
        // The log goes on after the restore: a new write commits, applies and is readable.
        a.put("/v1/kv/snap/d", "after");
        assertEquals("after", raw("snap/d"));
        assertEquals("one", raw("snap/a"));
    }

    @Test
    void corruptTruncatedOrEmptySnapshotsAre400AndChangeNothing() throws Exception {
        a.put("/v1/kv/keep/x", "before");
        byte[] snap = save().body();
        a.put("/v1/kv/keep/x", "live");
        byte[] flipped = snap.clone();
        flipped[flipped.length / 2] ^= 0x5a;
        HttpResponse<String> bad = restore(flipped);
        assertEquals(400, bad.statusCode(), bad.body());
        assertTrue(bad.body().contains("invalid snapshot"), bad.body());
        assertEquals(400, restore(Arrays.copyOf(snap, snap.length - 7)).statusCode());
        assertEquals(400, restore("not a snapshot at all, just text".getBytes(StandardCharsets.UTF_8)).statusCode());
        assertEquals(400, restore(new byte[0]).statusCode());
        // A well-formed archive whose state file does not match its SHA256SUMS.
        SnapshotArchive.Contents c = SnapshotArchive.read(snap, Long.MAX_VALUE);
        byte[] state = c.state().clone();
        state[state.length / 2] ^= 0x01;
        byte[] lying = withState(snap, c.state(), state);
        HttpResponse<String> sums = restore(lying);
        assertEquals(400, sums.statusCode(), sums.body());
        assertTrue(sums.body().contains("SHA-256 of state.bin"), sums.body());
        assertEquals("live", raw("keep/x"));
        // And the state still saves the same way as before the refused restores.
        assertArrayEquals(Arrays.copyOf(save().body(), 2), Arrays.copyOf(snap, 2));
    }

    @Test
    void aBareStateFileTheFormerFormatIsStillRestored() throws Exception {
        a.put("/v1/kv/bare/x", "saved");
        byte[] state = SnapshotArchive.read(save().body(), Long.MAX_VALUE).state();
        a.put("/v1/kv/bare/x", "live");
        HttpResponse<String> r = restore(state);
        assertEquals(200, r.statusCode(), r.body());
        assertEquals("saved", raw("bare/x"));
    }

    /** {@code archive} with the bytes {@code was} of its state file replaced by {@code now} (same length), sums left as they were. */
    static byte[] withState(byte[] archive, byte[] was, byte[] now) throws Exception {
        byte[] tar;
        try (var in = new java.util.zip.GZIPInputStream(new java.io.ByteArrayInputStream(archive))) {
            tar = in.readAllBytes();
        }
        int at = -1;
        for (int i = 0; i + was.length <= tar.length && at < 0; i += 512) {
            if (Arrays.equals(tar, i, i + was.length, was, 0, was.length)) {
                at = i;
            }
        }
        assertTrue(at >= 0, "state file not found in the tar");
        System.arraycopy(now, 0, tar, at, now.length);
        var out = new java.io.ByteArrayOutputStream();
        try (var gz = new java.util.zip.GZIPOutputStream(out)) {
            gz.write(tar);
        }
        return out.toByteArray();
    }

    @Test
    void otherMethodsAndPathsAreRefused() throws Exception {
        assertEquals(405, a.send("DELETE", "/v1/snapshot", null).statusCode());
        assertEquals(404, a.send("GET", "/v1/snapshot/extra", null).statusCode());
    }
}
