package io.tribune.agent.rpc.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.google.protobuf.Descriptors.FieldDescriptor;
import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.Autopilot;
import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.Response;
import io.tribune.agent.rpc.internal.Envelope.Hop;
import io.tribune.agent.rpc.wire.AutopilotConfiguration;
import io.tribune.agent.rpc.wire.AutopilotSetConfig;
import io.tribune.agent.rpc.wire.Call;
import io.tribune.agent.rpc.wire.Value;
import io.tribune.state.AutopilotConfig;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The autopilot operations and answers travel unchanged, in their own numbers (130..139); bad ones are refused. */
class AutopilotWireTest {
    static final AutopilotConfig CONFIG = new AutopilotConfig(false, 300, 7, 20_000, "zone", true, "v", 3, 4);

    @Test
    void operationsAndAnswersRoundTrip() {
        for (Op<?> op : List.of(new Autopilot.GetConfig(), new Autopilot.SetConfig(CONFIG, -1),
                new Autopilot.SetConfig(CONFIG, 0), new Autopilot.SetConfig(CONFIG, 42), new Autopilot.Health())) {
            Envelope e = new Envelope(op, Options.DEFAULT, Optional.empty(), "n1", Hop.CLIENT);
            assertEquals(op, Wire.decodeCall(op.opName(), Wire.encodeCall(e)).op(), op.opName());
        }
        roundTrip(new Autopilot.GetConfig(), CONFIG);
        roundTrip(new Autopilot.Health(), new Autopilot.HealthReport(false, 0, List.of(
                new Autopilot.ServerHealth("id", "s1", "127.0.0.1:8300", "alive", "b", true, 0, 2, 9, true, true, 5),
                new Autopilot.ServerHealth("id2", "s2", "127.0.0.2:8300", "failed", "", false, -1, 0, 0, false, true,
                        0))));
    }

    private static <R> void roundTrip(Op<R> op, R value) {
        Response<R> back = Wire.decodeReply(op, Wire.encodeReply(op, new Response<>(value, Response.Meta.written(9))));
        assertEquals(value, back.value(), op.opName());
    }

    @Test
    void numbersStayInTheAutopilotRangeAndBadConfigurationsAreBadRequests() {
        for (FieldDescriptor f : Call.getDescriptor().getOneofs().get(0).getFields()) {
            assertEquals(f.getName().startsWith("autopilot_"), f.getNumber() >= 130 && f.getNumber() <= 139, f.getName());
        }
        for (FieldDescriptor f : Value.getDescriptor().getFields()) {
            assertEquals(f.getName().startsWith("autopilot_"), f.getNumber() >= 130 && f.getNumber() <= 139, f.getName());
        }
        Call negative = Call.newBuilder().setAutopilotSetConfig(AutopilotSetConfig.newBuilder().setConfig(
                AutopilotConfiguration.newBuilder().setMaxTrailingLogs(-1))).build();
        AgentException e = org.junit.jupiter.api.Assertions.assertThrows(AgentException.class,
                () -> Wire.decodeCall("Autopilot.SetConfig", negative.toByteArray()));
        assertEquals(AgentException.Kind.BAD_REQUEST, e.kind());
        Call none = Call.newBuilder().setAutopilotSetConfig(AutopilotSetConfig.getDefaultInstance()).build();
        assertEquals(AgentException.Kind.BAD_REQUEST, org.junit.jupiter.api.Assertions.assertThrows(
                AgentException.class, () -> Wire.decodeCall("Autopilot.SetConfig", none.toByteArray())).kind());
    }
}
