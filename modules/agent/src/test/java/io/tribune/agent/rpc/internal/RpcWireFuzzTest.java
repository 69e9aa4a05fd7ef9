package io.tribune.agent.rpc.internal;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.code_intelligence.jazzer.junit.FuzzTest;
import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.Kv;
import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.Response;
import io.tribune.api.consensus.ReadConsistency;
import io.tribune.state.RequestId;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Coverage-guided fuzzing (Jazzer) of the agent RPC envelope: the protobuf {@code Call} a server
 * reads on its RPC port for each operation, and the {@code Reply} a caller reads back.
 *
 * <p>Contracts: {@link Wire#decodeCall} refuses only with {@link AgentException}
 * ({@code BAD_REQUEST}), never lets an operation of another method through, and what it accepts is
 * a valid operation that re-encodes canonically (encode, decode, encode: same bytes);
 * {@link Wire#decodeReply} fails only with an {@link AgentException} (the error the reply carries,
 * or {@code INTERNAL}) or {@link Router.NotLeaderHere}. Sizes are bounded by the transport's
 * message limit before these run; inside, protobuf bounds nesting. The normal build runs the
 * targets over the seed corpus in
 * {@code src/test/resources/io/tribune/agent/rpc/internal/RpcWireFuzzTestInputs/}; see
 * {@code docs/fuzzing.md}.
 */
class RpcWireFuzzTest {
    private static final Path SEEDS = Path.of("src/test/resources/io/tribune/agent/rpc/internal/RpcWireFuzzTestInputs");
    private static final List<String> METHODS = Wire.methods();

    /** Input: the RPC method (first byte, an index into {@link Wire#methods()}) and the request bytes. */
    @FuzzTest(maxDuration = "5m")
    void call(byte[] data) {
        if (data.length == 0) {
            return;
        }
        String method = METHODS.get((data[0] & 0xFF) % METHODS.size());
        byte[] request = java.util.Arrays.copyOfRange(data, 1, data.length);
        Envelope e;
        try {
            e = Wire.decodeCall(method, request);
        } catch (AgentException refused) {
            assertEquals(AgentException.Kind.BAD_REQUEST, refused.kind(), refused.getMessage());
            return;
        }
        assertEquals(method, e.op().opName(), "an operation of another method was let through");
        byte[] once = Wire.encodeCall(e);
        assertArrayEquals(once, Wire.encodeCall(Wire.decodeCall(method, once)));
    }

    /** Input: the operation the reply answers (first byte, an index into every operation) and the reply bytes. */
    @FuzzTest(maxDuration = "5m")
    void reply(byte[] data) {
        if (data.length == 0) {
            return;
        }
        List<Op<?>> ops = WireTest.everyOperation();
        Op<?> op = ops.get((data[0] & 0xFF) % ops.size());
        byte[] reply = java.util.Arrays.copyOfRange(data, 1, data.length);
        try {
            Wire.decodeReply(op, reply);
        } catch (AgentException | Router.NotLeaderHere refused) {
            // the documented failures
        }
    }

    /** Rewrites the seed corpus; skipped unless {@code -Dtribune.fuzz.write-seeds=true} (run from the module directory). */
    @Test
    @EnabledIfSystemProperty(named = "tribune.fuzz.write-seeds", matches = "true")
    void writeSeedCorpus() throws IOException {
        Path calls = SEEDS.resolve("call");
        Files.createDirectories(calls);
        Options o = new Options("dc2", "token", ReadConsistency.STALE, Duration.ofSeconds(2), 42, Duration.ofSeconds(5),
                false);
        int i = 0;
        for (Op<?> op : WireTest.everyOperation()) {
            Envelope e = new Envelope(op, o, op instanceof Op.Write ? Optional.of(new RequestId(1, i))
                    : Optional.empty(), "n1", Envelope.Hop.CLIENT);
            int method = METHODS.indexOf(op.opName());
            Files.write(calls.resolve(String.format("seed-%02d-%s", i++, op.opName())), withInt(Wire.encodeCall(e),
                    method));
        }
        Path replies = SEEDS.resolve("reply");
        Files.createDirectories(replies);
        List<Op<?>> ops = WireTest.everyOperation();
        Kv.Set set = new Kv.Set("k", new byte[] {1}, 0, OptionalLong.empty());
        int setIndex = 0;
        for (int j = 0; j < ops.size(); j++) {
            if (ops.get(j) instanceof Kv.Set) {
                setIndex = j;
                break;
            }
        }
        Files.write(replies.resolve("seed-value"), withInt(Wire.encodeReply(set, new Response<>(true,
                new Response.Meta(12, true, Duration.ofMillis(3), ReadConsistency.DEFAULT, false, Duration.ZERO))),
                setIndex));
        Files.write(replies.resolve("seed-error"), withInt(Wire.encodeError(new AgentException(
                AgentException.Kind.NO_LEADER, "No cluster leader")), setIndex));
    }

    /** The selector byte {@code v}, then {@code b}. */
    static byte[] withInt(byte[] b, int v) {
        byte[] out = new byte[b.length + 1];
        out[0] = (byte) v;
        System.arraycopy(b, 0, out, 1, b.length);
        return out;
    }
}
