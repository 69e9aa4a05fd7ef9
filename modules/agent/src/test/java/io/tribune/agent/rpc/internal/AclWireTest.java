package io.tribune.agent.rpc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.agent.rpc.Acl;
import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.Response;
import io.tribune.agent.rpc.internal.Envelope.Hop;
import io.tribune.state.AclPolicy;
import io.tribune.state.AclToken;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The ACL operations and their answers travel between agents unchanged; malformed ones are refused. */
class AclWireTest {
    static final AclToken TOKEN = new AclToken("a1", "s1", "d", List.of("p1"), true, 7, "h", "", "", 3, 4);
    static final AclPolicy POLICY = new AclPolicy("p1", "app", "d", "key \"\" { policy = \"read\" }", List.of("dc1"),
            "h", 1, 2);

    @Test
    void everyTravellingOperationRoundTrips() {
        List<Op<?>> ops = List.of(new Acl.Bootstrap(), new Acl.PolicyWrite("", "app", "d", "r", List.of("dc1")),
                new Acl.PolicyDelete("p1"), new Acl.PolicyRead("p1"), new Acl.PolicyList(),
                new Acl.TokenWrite("", "s", "d", List.of(new Acl.PolicyLink("p1", ""), new Acl.PolicyLink("", "app")),
                        true),
                new Acl.TokenClone("a1", "copy"), new Acl.TokenDelete("a1"), new Acl.TokenRead("a1"),
                new Acl.TokenSelf("s1"), new Acl.TokenList(), new Acl.LegacyWrite("", "n", "client", "r", false),
                new Acl.LegacyDestroy("s1"), new Acl.LegacyInfo("s1"), new Acl.LegacyClone("s1"),
                new Acl.Resolve("s1"), new Acl.ReplicationStatus());
        for (Op<?> op : ops) {
            Envelope e = new Envelope(op, Options.DEFAULT.withToken("t"), Optional.empty(), "n1", Hop.CLIENT);
            Envelope back = Wire.decodeCall(op.opName(), Wire.encodeCall(e));
            assertEquals(op, back.op(), op.opName());
            assertEquals("t", back.options().token());
            assertTrue(Wire.methods().contains(op.opName()), op.opName());
        }
        assertFalse(Wire.methods().contains("Acl.TranslateRules"), "agent operations never travel");
        assertFalse(Wire.methods().contains("Acl.SetAgentToken"));
    }

    @Test
    void answersRoundTrip() {
        Acl.TokenInfo info = new Acl.TokenInfo(TOKEN, List.of(new Acl.PolicyLink("p1", "app")));
        roundTrip(new Acl.TokenRead("a1"), Optional.of(info));
        roundTrip(new Acl.TokenRead("a1"), Optional.empty());
        roundTrip(new Acl.TokenList(), List.of(info, info));
        roundTrip(new Acl.PolicyWrite("", "app", "", "", List.of()), POLICY);
        roundTrip(new Acl.PolicyList(), List.of(POLICY));
        roundTrip(new Acl.PolicyDelete("p1"), true);
        roundTrip(new Acl.LegacyClone("s1"), "s2");
        roundTrip(new Acl.Resolve("s1"), new Acl.Identity(true, "a1", false, List.of("key \"\" {}")));
        roundTrip(new Acl.Bootstrap(), info);
        roundTrip(new Acl.PolicyRead("p1"), Optional.of(POLICY));
        roundTrip(new Acl.PolicyRead("p1"), Optional.<AclPolicy>empty());
        roundTrip(new Acl.LegacyInfo("s1"), Optional.of(info));
        roundTrip(new Acl.ReplicationStatus(), new Acl.Replication(true, true, "dc1", "tokens", 12, 13, 1000, 0, ""));
        roundTrip(new Acl.ReplicationStatus(), new Acl.Replication(false, false, "", "", 0, 0, 0, 5, "boom"));
    }

    private static <R> void roundTrip(Op<R> op, R value) {
        byte[] bytes = Wire.encodeReply(op, new Response<>(value, Response.Meta.written(9)));
        Response<R> back = Wire.decodeReply(op, bytes);
        assertEquals(value, back.value());
        assertEquals(9, back.meta().index());
    }

    @Test
    void malformedAclCallsAreBadRequests() {
        byte[] ok = Wire.encodeCall(new Envelope(new Acl.PolicyRead("p1"), Options.DEFAULT, Optional.empty(), "n1",
                Hop.CLIENT));
        AgentException wrongMethod = assertThrows(AgentException.class, () -> Wire.decodeCall("Acl.PolicyList", ok));
        assertEquals(AgentException.Kind.BAD_REQUEST, wrongMethod.kind());
        io.tribune.agent.rpc.wire.Call emptyId = io.tribune.agent.rpc.wire.Call.newBuilder()
                .setAclPolicyRead(io.tribune.agent.rpc.wire.AclPolicyRead.newBuilder().setId("")).build();
        assertEquals(AgentException.Kind.BAD_REQUEST, assertThrows(AgentException.class,
                () -> Wire.decodeCall("Acl.PolicyRead", emptyId.toByteArray())).kind());
        io.tribune.agent.rpc.wire.Call longRules = io.tribune.agent.rpc.wire.Call.newBuilder()
                .setAclPolicyWrite(io.tribune.agent.rpc.wire.AclPolicyWrite.newBuilder().setName("p")
                        .setRules("x".repeat(Acl.MAX_RULES_BYTES + 1))).build();
        assertEquals(AgentException.Kind.BAD_REQUEST, assertThrows(AgentException.class,
                () -> Wire.decodeCall("Acl.PolicyWrite", longRules.toByteArray())).kind());
        io.tribune.agent.rpc.wire.Call badType = io.tribune.agent.rpc.wire.Call.newBuilder()
                .setAclLegacyWrite(io.tribune.agent.rpc.wire.AclLegacyWrite.newBuilder().setType("root")).build();
        assertEquals(AgentException.Kind.BAD_REQUEST, assertThrows(AgentException.class,
                () -> Wire.decodeCall("Acl.LegacyWrite", badType.toByteArray())).kind());
        io.tribune.agent.rpc.wire.Call legacyCase = io.tribune.agent.rpc.wire.Call.newBuilder()
                .setUnknownFields(com.google.protobuf.UnknownFieldSet.newBuilder().addField(90,
                        com.google.protobuf.UnknownFieldSet.Field.newBuilder()
                                .addLengthDelimited(com.google.protobuf.ByteString.copyFromUtf8("x")).build()).build())
                .build();
        assertEquals(AgentException.Kind.BAD_REQUEST, assertThrows(AgentException.class,
                () -> Wire.decodeCall("Acl.PolicyRead", legacyCase.toByteArray())).kind(),
                "the retired JSON case 90 names no operation");
    }

    @Test
    void malformedAclAnswersAreInternalErrors() {
        io.tribune.agent.rpc.wire.Reply two = io.tribune.agent.rpc.wire.Reply.newBuilder()
                .setValue(io.tribune.agent.rpc.wire.Value.newBuilder()
                        .addAclPolicies(AclWire.policy(POLICY)).addAclPolicies(AclWire.policy(POLICY)))
                .build();
        assertEquals(AgentException.Kind.INTERNAL, assertThrows(AgentException.class,
                () -> Wire.decodeReply(new Acl.PolicyRead("p1"), two.toByteArray())).kind());
        io.tribune.agent.rpc.wire.Reply none = io.tribune.agent.rpc.wire.Reply.newBuilder()
                .setValue(io.tribune.agent.rpc.wire.Value.getDefaultInstance()).build();
        assertEquals(AgentException.Kind.INTERNAL, assertThrows(AgentException.class,
                () -> Wire.decodeReply(new Acl.Bootstrap(), none.toByteArray())).kind());
    }
}
