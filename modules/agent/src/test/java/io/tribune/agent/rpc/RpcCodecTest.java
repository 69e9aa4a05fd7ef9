package io.tribune.agent.rpc;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.agent.http.HttpRequest;
import io.tribune.agent.http.HttpResponse;
import io.tribune.api.transport.Endpoint;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RpcCodecTest {

    private static HttpRequest request() {
        Map<String, List<String>> q = new LinkedHashMap<>();
        q.put("index", List.of("42"));
        q.put("recurse", List.of(""));
        q.put("tag", List.of("a", "b"));
        Map<String, String> h = new LinkedHashMap<>();
        h.put("x-consul-token", "t0k3n");
        h.put("connection", "keep-alive");
        h.put("content-length", "5");
        h.put(Forwarder.FORWARDED_HEADER, "spoofed");
        return new HttpRequest("PUT", "/v1/kv/ключ", q, h, "hello".getBytes(StandardCharsets.UTF_8), "/127.0.0.1:5");
    }

    @Test
    void requestRoundTripsWithMarkerAndWithoutHopByHopHeaders() {
        HttpRequest r = RpcCodec.decodeRequest(RpcCodec.encodeRequest(request(), Forwarder.HOP_CLIENT));
        assertEquals("PUT", r.method());
        assertEquals("/v1/kv/ключ", r.path());
        assertEquals(List.of("a", "b"), r.query().get("tag"));
        assertEquals(List.of(""), r.query().get("recurse"));
        assertEquals("t0k3n", r.headers().get("x-consul-token"));
        assertFalse(r.headers().containsKey("connection"));
        assertFalse(r.headers().containsKey("content-length"));
        // The sender's marker replaces whatever the incoming request claimed.
        assertEquals(Forwarder.HOP_CLIENT, r.headers().get(Forwarder.FORWARDED_HEADER));
        assertEquals("hello", r.bodyText());
        assertEquals("/127.0.0.1:5", r.remote());
    }

    @Test
    void theRequestIdTravelsHoweverManyOtherHeadersThereAre() {
        Map<String, String> headers = new LinkedHashMap<>();
        for (int i = 0; i < 2 * RpcCodec.MAX_HEADERS; i++) {
            headers.put("x-filler-" + i, "v");
        }
        headers.put(Forwarder.REQUEST_ID_HEADER, "0123456789abcdef0123456789abcdef");
        HttpRequest many = new HttpRequest("PUT", "/v1/kv/k", Map.of(), headers, new byte[0], "");
        HttpRequest r = RpcCodec.decodeRequest(RpcCodec.encodeRequest(many, Forwarder.HOP_CLIENT));
        assertEquals("0123456789abcdef0123456789abcdef", r.headers().get(Forwarder.REQUEST_ID_HEADER));
        assertEquals(Forwarder.HOP_CLIENT, r.headers().get(Forwarder.FORWARDED_HEADER));
        assertEquals(RpcCodec.MAX_HEADERS, r.headers().size());
    }

    @Test
    void responseRoundTripsStatusHeadersAndBody() {
        HttpResponse in = HttpResponse.json(404, "[]").header("X-Consul-Index", "7");
        HttpResponse out = RpcCodec.decodeResponse(RpcCodec.encodeResponse(in));
        assertEquals(404, out.status());
        assertEquals("7", out.headers().get("X-Consul-Index"));
        assertEquals("application/json", out.headers().get("Content-Type"));
        assertEquals("[]", new String(out.body(), StandardCharsets.UTF_8));
    }

    @Test
    void applyRequestAndEveryReplyKindRoundTrip() {
        RpcCodec.ApplyRequest a = RpcCodec.decodeApply(RpcCodec.encodeApply(
                new RpcCodec.ApplyRequest(true, new byte[] {1, 2, 3})));
        assertTrue(a.mayForward());
        assertArrayEquals(new byte[] {1, 2, 3}, a.command());

        var ok = assertInstanceOf(RpcCodec.ApplyReply.Ok.class,
                RpcCodec.decodeReply(RpcCodec.encodeReply(new RpcCodec.ApplyReply.Ok(99, new byte[] {7}))));
        assertEquals(99, ok.index());
        assertArrayEquals(new byte[] {7}, ok.result());
        var nl = assertInstanceOf(RpcCodec.ApplyReply.NotLeader.class, RpcCodec.decodeReply(RpcCodec.encodeReply(
                new RpcCodec.ApplyReply.NotLeader(Optional.of(new Endpoint("10.0.0.1", 8300))))));
        assertEquals(Optional.of(new Endpoint("10.0.0.1", 8300)), nl.leader());
        var none = assertInstanceOf(RpcCodec.ApplyReply.NotLeader.class, RpcCodec.decodeReply(
                RpcCodec.encodeReply(new RpcCodec.ApplyReply.NotLeader(Optional.empty()))));
        assertEquals(Optional.empty(), none.leader());
        var err = assertInstanceOf(RpcCodec.ApplyReply.Error.class,
                RpcCodec.decodeReply(RpcCodec.encodeReply(new RpcCodec.ApplyReply.Error("boom"))));
        assertEquals("boom", err.message());
    }

    @Test
    void everyTruncationOfARequestIsRejected() {
        byte[] full = RpcCodec.encodeRequest(request(), Forwarder.HOP_LEADER);
        for (int n = 0; n < full.length; n++) {
            byte[] cut = Arrays.copyOf(full, n);
            assertThrows(IllegalArgumentException.class, () -> RpcCodec.decodeRequest(cut), "prefix of " + n);
        }
    }

    @Test
    void trailingBytesWrongVersionAndBadKindsAreRejected() {
        byte[] full = RpcCodec.encodeResponse(HttpResponse.text(200, "x"));
        byte[] longer = Arrays.copyOf(full, full.length + 1);
        assertThrows(IllegalArgumentException.class, () -> RpcCodec.decodeResponse(longer));
        byte[] v2 = full.clone();
        v2[0] = 2;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> RpcCodec.decodeResponse(v2));
        assertTrue(e.getMessage().contains("version"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RpcCodec.decodeReply(new byte[] {1, 9}));
        assertThrows(IllegalArgumentException.class, () -> RpcCodec.decodeApply(new byte[] {1, 5, 0, 0, 0, 0}));
        assertThrows(IllegalArgumentException.class, () -> RpcCodec.decodeReply(null));
    }

    @Test
    void oversizedCountsAndInvalidUtf8AreRejectedWithoutAllocating() {
        // version, method "GET", path "/", then a query count of 2^31-1.
        byte[] hugeCount = {1, 0, 0, 0, 3, 'G', 'E', 'T', 0, 0, 0, 1, '/', 0x7f, -1, -1, -1};
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RpcCodec.decodeRequest(hugeCount));
        assertTrue(e.getMessage().contains("query parameters"), e.getMessage());
        byte[] badUtf8 = {1, 0, 0, 0, 1, (byte) 0xff};
        e = assertThrows(IllegalArgumentException.class, () -> RpcCodec.decodeRequest(badUtf8));
        assertTrue(e.getMessage().contains("UTF-8"), e.getMessage());
    }

    @Test
    void encodingRefusesPartsBeyondTheirBounds() {
        Map<String, List<String>> q = new LinkedHashMap<>();
        for (int i = 0; i <= RpcCodec.MAX_PARAMS; i++) {
            q.put("p" + i, List.of("v"));
        }
        HttpRequest many = new HttpRequest("GET", "/v1/kv/x", q, Map.of(), new byte[0], "");
        assertThrows(IllegalArgumentException.class, () -> RpcCodec.encodeRequest(many, Forwarder.HOP_CLIENT));
        HttpRequest longMethod = new HttpRequest("X".repeat(RpcCodec.MAX_SHORT_STRING + 1), "/", Map.of(), Map.of(),
                new byte[0], "");
        assertThrows(IllegalArgumentException.class, () -> RpcCodec.encodeRequest(longMethod, Forwarder.HOP_CLIENT));
    }

    @Test
    void aDecodedRequestMustHaveAMethodAndAnAbsolutePath() {
        HttpRequest relative = new HttpRequest("GET", "v1/kv", Map.of(), Map.of(), new byte[0], "");
        byte[] b = RpcCodec.encodeRequest(relative, Forwarder.HOP_CLIENT);
        assertThrows(IllegalArgumentException.class, () -> RpcCodec.decodeRequest(b));
    }

    @Test
    void keyringRequestsAndRepliesRoundTrip() {
        String k = "AAAAAAAAAAAAAAAAAAAAAA==";
        for (RpcCodec.KeyringOp op : RpcCodec.KeyringOp.values()) {
            RpcCodec.KeyringRequest r = new RpcCodec.KeyringRequest(op, op == RpcCodec.KeyringOp.LIST ? "" : k);
            assertEquals(r, RpcCodec.decodeKeyringRequest(RpcCodec.encodeKeyringRequest(r)));
        }
        var keys = assertInstanceOf(RpcCodec.KeyringReply.Keys.class, RpcCodec.decodeKeyringReply(
                RpcCodec.encodeKeyringReply(new RpcCodec.KeyringReply.Keys(List.of(k, "other")))));
        assertEquals(List.of(k, "other"), keys.keys());
        assertEquals(k, keys.primary());
        var refused = assertInstanceOf(RpcCodec.KeyringReply.Refused.class, RpcCodec.decodeKeyringReply(
                RpcCodec.encodeKeyringReply(new RpcCodec.KeyringReply.Refused("key is not installed"))));
        assertEquals("key is not installed", refused.message());
    }

    @Test
    void malformedKeyringMessagesAreRejected() {
        byte[] full = RpcCodec.encodeKeyringRequest(new RpcCodec.KeyringRequest(RpcCodec.KeyringOp.USE,
                "AAAAAAAAAAAAAAAAAAAAAA=="));
        for (int n = 0; n < full.length; n++) {
            byte[] cut = Arrays.copyOf(full, n);
            assertThrows(IllegalArgumentException.class, () -> RpcCodec.decodeKeyringRequest(cut), "prefix of " + n);
        }
        assertThrows(IllegalArgumentException.class, () -> RpcCodec.decodeKeyringRequest(Arrays.copyOf(full,
                full.length + 1)));
        // Operation 4 does not exist; a listing with a key and a write without one are not requests.
        assertThrows(IllegalArgumentException.class,
                () -> RpcCodec.decodeKeyringRequest(new byte[] {1, 4, 0, 0, 0, 0}));
        assertThrows(IllegalArgumentException.class, () -> RpcCodec.decodeKeyringRequest(new byte[] {1, 0, 0, 0, 0, 1,
                'k'}));
        assertThrows(IllegalArgumentException.class,
                () -> RpcCodec.decodeKeyringRequest(new byte[] {1, 1, 0, 0, 0, 0}));
        // A key longer than any AES key in base64, and a reply claiming 2^31-1 keys or none.
        assertThrows(IllegalArgumentException.class, () -> RpcCodec.encodeKeyringRequest(new RpcCodec.KeyringRequest(
                RpcCodec.KeyringOp.INSTALL, "k".repeat(RpcCodec.MAX_KEY_STRING + 1))));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> RpcCodec.decodeKeyringReply(new byte[] {1, 0, 0x7f, -1, -1, -1}));
        assertTrue(e.getMessage().contains("keys"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> RpcCodec.decodeKeyringReply(new byte[] {1, 0, 0, 0, 0, 0}));
        assertThrows(IllegalArgumentException.class, () -> RpcCodec.decodeKeyringReply(new byte[] {1, 2}));
        assertThrows(IllegalArgumentException.class, () -> RpcCodec.decodeKeyringReply(null));
    }
}
