package io.tribune.state;

import java.util.Objects;

/**
 * The id of one client request that writes: 128 bits chosen once by the agent where the request
 * arrived and carried unchanged by every retry of it, so that the state machine applies the
 * request at most once ({@link Command.Dedup}; Raft thesis §6.3, "Implementing linearizable
 * semantics").
 *
 * <p>How ids are made is the proposer's business; the store only needs distinct requests to carry
 * distinct ids. The agent uses a random 64-bit prefix drawn once per process and a 64-bit counter.
 * Ids are ordered (high half, then low half, both signed) so that the dedup table iterates them in
 * a stable order.
 *
 * @param hi the high 64 bits
 * @param lo the low 64 bits
 */
public record RequestId(long hi, long lo) implements Comparable<RequestId> {
    /** Length of the binary form, in bytes. */
    public static final int BYTES = 16;
    /** Length of the text form ({@link #toString()}), in characters. */
    public static final int TEXT_LENGTH = 32;

    /**
     * Reads the text form: exactly 32 hexadecimal digits (either case), no separators.
     *
     * @throws IllegalArgumentException naming the input when it is not one
     */
    public static RequestId parse(String text) {
        Objects.requireNonNull(text, "text");
        if (text.length() != TEXT_LENGTH) {
            throw new IllegalArgumentException("request id '" + abbreviate(text) + "' is not " + TEXT_LENGTH
                    + " hexadecimal digits");
        }
        return new RequestId(hex(text, 0), hex(text, 16));
    }

    private static long hex(String text, int from) {
        long v = 0;
        for (int i = from; i < from + 16; i++) {
            int d = Character.digit(text.charAt(i), 16);
            if (d < 0) {
                throw new IllegalArgumentException("request id '" + abbreviate(text) + "' is not " + TEXT_LENGTH
                        + " hexadecimal digits");
            }
            v = (v << 4) | d;
        }
        return v;
    }

    private static String abbreviate(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "...";
    }

    /** 32 lower-case hexadecimal digits, high half first; {@link #parse} reads it back. */
    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder(TEXT_LENGTH);
        appendHex(sb, hi);
        appendHex(sb, lo);
        return sb.toString();
    }

    private static void appendHex(StringBuilder sb, long v) {
        for (int shift = 60; shift >= 0; shift -= 4) {
            sb.append(Character.forDigit((int) (v >>> shift) & 0xf, 16));
        }
    }

    /** Orders by the high half, then the low half (signed comparisons): a fixed, total order. */
    @Override
    public int compareTo(RequestId o) {
        int c = Long.compare(hi, o.hi);
        return c != 0 ? c : Long.compare(lo, o.lo);
    }
}
