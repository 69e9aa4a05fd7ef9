package io.tribune.agent.testing;

import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.UnknownFieldSet;

/**
 * Fault injection on the agents' RPC wire, read with the published schema
 * ({@code modules/agent/src/main/proto/tribune/agent/rpc/v1/rpc.proto}) and nothing of the agent's
 * internals: a call is a {@code Call} message whose field 1 is its {@code Header}, and a header's
 * fields 8 to 10 carry the client request id of a write.
 */
public final class WireFaults {
    /** {@code Call.header}. */
    static final int CALL_HEADER = 1;
    /** {@code Header.request_id_hi}, {@code request_id_lo}, {@code has_request_id}. */
    static final int[] REQUEST_ID_FIELDS = {8, 9, 10};

    private WireFaults() {
    }

    /**
     * The call without the client request id of its write: what forwarding sent before request ids
     * existed, so a retry of it is a new write to the state machine. For control experiments that
     * show what the id prevents.
     *
     * @throws IllegalArgumentException when the bytes are not a call
     */
    public static byte[] withoutRequestId(byte[] call) {
        try {
            UnknownFieldSet c = UnknownFieldSet.parseFrom(call);
            UnknownFieldSet.Field headerField = c.getField(CALL_HEADER);
            if (headerField.getLengthDelimitedList().size() != 1) {
                throw new IllegalArgumentException("a call has exactly one header");
            }
            UnknownFieldSet.Builder header = UnknownFieldSet.newBuilder()
                    .mergeFrom(headerField.getLengthDelimitedList().get(0));
            for (int f : REQUEST_ID_FIELDS) {
                header.clearField(f);
            }
            ByteString h = header.build().toByteString();
            return UnknownFieldSet.newBuilder(c).clearField(CALL_HEADER)
                    .addField(CALL_HEADER, UnknownFieldSet.Field.newBuilder().addLengthDelimited(h).build())
                    .build().toByteArray();
        } catch (InvalidProtocolBufferException e) {
            throw new IllegalArgumentException("not a call: " + e.getMessage(), e);
        }
    }

    /** Whether {@code call} carries a client request id. */
    public static boolean hasRequestId(byte[] call) {
        try {
            UnknownFieldSet c = UnknownFieldSet.parseFrom(call);
            var headers = c.getField(CALL_HEADER).getLengthDelimitedList();
            return headers.size() == 1 && UnknownFieldSet.parseFrom(headers.get(0)).hasField(10);
        } catch (InvalidProtocolBufferException e) {
            return false;
        }
    }
}
