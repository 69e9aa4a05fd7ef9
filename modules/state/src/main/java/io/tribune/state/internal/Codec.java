package io.tribune.state.internal;

import io.tribune.state.Command;
import io.tribune.state.CommandResult;
import io.tribune.state.KvEntry;
import io.tribune.state.TxnOp;
import io.tribune.state.internal.WireReader.MalformedInputException;
import java.util.ArrayList;
import io.tribune.state.RequestId;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The binary codec of commands and results.
 *
 * <p>Layout: one format byte ({@link #FORMAT}), one type tag, then the fields in record order.
 * Tags are stable forever: a new command gets a new tag, a changed layout a new format byte, so
 * a log written by an older server is still read by a newer one. Decoding bounds every length
 * and rejects trailing bytes.
 *
 * <p>Envelopes: a {@link Command.Dedup} is the format byte, tag {@value #DEDUP}, the request id
 * (two i64), the proposer's time (i64), then the wrapped command's tag and fields, so wrapping
 * and unwrapping never re-encode the command. A {@link CommandResult.Repeated} is the format
 * byte, tag {@value #R_REPEATED}, the first application's index (i64), then the wrapped result's
 * tag and fields. Neither nests.
 */
public final class Codec {
    /** Current format byte of commands and results. */
    public static final int FORMAT = 1;

    // Command tags (stable).
    static final int KV_SET = 1;
    static final int KV_DELETE = 2;
    static final int KV_DELETE_TREE = 3;
    static final int KV_ACQUIRE = 4;
    static final int KV_RELEASE = 5;
    static final int KV_TXN = 6;
    static final int TOMBSTONE_REAP = 7;
    static final int RESTORE_BEGIN = 60;
    static final int RESTORE_CHUNK = 61;
    static final int RESTORE_COMMIT = 62;
    /** The request id envelope ({@link Command.Dedup}): id, time, then the wrapped command's tag and fields. */
    static final int DEDUP = 70;

    // Result tags (stable).
    static final int R_BOOL = 1;
    static final int R_DONE = 2;
    static final int R_COUNT = 3;
    static final int R_FAILED = 4;
    static final int R_TXN = 5;
    /** {@link CommandResult.Repeated}: the first application's index, then the wrapped result's tag and fields. */
    static final int R_REPEATED = 6;
    /** Bytes of a {@link Command.Dedup} header after the format byte: tag, id (16), time (8). */
    private static final int DEDUP_HEADER = 1 + RequestId.BYTES + 8;

    /** Most ops a transaction may carry on the wire (the validator's limit is lower). */
    static final int MAX_WIRE_TXN_OPS = 1024;

    private Codec() {
    }

    /** Encodes a command. */
    public static byte[] encodeCommand(Command c) {
        WireWriter w = new WireWriter();
        w.u8(FORMAT);
        if (c instanceof Command.Dedup d) {
            w.u8(DEDUP).i64(d.id().hi()).i64(d.id().lo()).i64(d.nowMillis());
            c = d.command();
        }
        encodeBody(w, c);
        return w.toByteArray();
    }

    /** Writes a command's tag and fields (everything but the format byte). */
    private static void encodeBody(WireWriter w, Command c) {
        if (c instanceof Command.KvSet s) {
            w.u8(KV_SET).str(s.key()).bytes(s.value()).i64(s.flags());
            optLong(w, s.cas());
        } else if (c instanceof Command.KvDelete d) {
            w.u8(KV_DELETE).str(d.key());
            optLong(w, d.cas());
        } else if (c instanceof Command.KvDeleteTree d) {
            w.u8(KV_DELETE_TREE).str(d.prefix());
        } else if (c instanceof Command.KvAcquire a) {
            w.u8(KV_ACQUIRE).str(a.key()).bytes(a.value()).i64(a.flags()).str(a.session()).i64(a.nowMillis());
        } else if (c instanceof Command.KvRelease r) {
            w.u8(KV_RELEASE).str(r.key()).bytes(r.value()).i64(r.flags()).str(r.session());
        } else if (c instanceof Command.KvTxn t) {
            w.u8(KV_TXN).i64(t.nowMillis()).i32(t.ops().size());
            for (TxnOp op : t.ops()) {
                w.u8(op.verb().ordinal()).str(op.key()).bytes(op.value()).i64(op.flags()).i64(op.index())
                        .str(op.session());
            }
        } else if (c instanceof Command.TombstoneReap r) {
            w.u8(TOMBSTONE_REAP).i64(r.upToIndex()).i64(r.nowMillis());
        } else if (c instanceof Command.RestoreBegin b) {
            w.u8(RESTORE_BEGIN).str(b.id()).i64(b.totalBytes()).i64(b.crc32c());
        } else if (c instanceof Command.RestoreChunk k) {
            w.u8(RESTORE_CHUNK).str(k.id()).i64(k.offset()).bytes(k.bytes());
        } else if (c instanceof Command.RestoreCommit m) {
            w.u8(RESTORE_COMMIT).str(m.id());
        } else if (c instanceof Command.QueryCommand q) {
            QueryCodec.encode(w, q);
        } else if (c instanceof Command.AutopilotSet a) {
            AutopilotCodec.encode(w, a);
        } else if (c instanceof Command.AclCommand a) {
            AclCodec.encode(w, a);
        } else {
            CatalogCodec.encode(w, c);
        }
    }

    /**
     * Wraps an encoded command in a {@link Command.Dedup} envelope by splicing the envelope's header
     * between the format byte and the command's tag.
     */
    public static byte[] wrapDedup(byte[] encoded, RequestId id, long nowMillis) {
        if (encoded == null || encoded.length < 2 || (encoded[0] & 0xff) != FORMAT) {
            throw new IllegalArgumentException("not an encoded command of format " + FORMAT);
        }
        if ((encoded[1] & 0xff) == DEDUP) {
            throw new IllegalArgumentException("the command already carries a request id");
        }
        WireWriter w = new WireWriter(encoded.length + DEDUP_HEADER);
        w.u8(FORMAT).u8(DEDUP).i64(id.hi()).i64(id.lo()).i64(nowMillis);
        byte[] head = w.toByteArray();
        byte[] out = new byte[encoded.length + DEDUP_HEADER];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(encoded, 1, out, head.length, encoded.length - 1);
        return out;
    }

    /** The request id of an encoded {@link Command.Dedup}, or empty for any other bytes. */
    public static Optional<RequestId> dedupIdOf(byte[] encoded) {
        if (encoded == null || encoded.length < 2 + RequestId.BYTES || (encoded[0] & 0xff) != FORMAT
                || (encoded[1] & 0xff) != DEDUP) {
            return Optional.empty();
        }
        WireReader r = new WireReader(encoded, 2, 2 + RequestId.BYTES);
        return Optional.of(new RequestId(r.i64("request id"), r.i64("request id")));
    }

    /** Whether {@code encoded} starts like an encoded {@link CommandResult.Repeated}. */
    public static boolean isRepeated(byte[] encoded) {
        return encoded != null && encoded.length >= 2 && (encoded[0] & 0xff) == FORMAT
                && (encoded[1] & 0xff) == R_REPEATED;
    }

    /** Decodes a command; throws {@link IllegalArgumentException} for malformed input. */
    public static Command decodeCommand(byte[] bytes) {
        if (bytes == null || bytes.length < 2) {
            throw new MalformedInputException("command too short");
        }
        WireReader r = new WireReader(bytes);
        int format = r.u8("format");
        if (format != FORMAT) {
            throw new MalformedInputException("unsupported command format " + format + " (this server reads "
                    + FORMAT + ")");
        }
        int tag = r.u8("type");
        Command c;
        if (tag == DEDUP) {
            RequestId id = new RequestId(r.i64("request id"), r.i64("request id"));
            long now = r.i64("request time");
            int inner = r.u8("wrapped type");
            if (inner == DEDUP) {
                throw new MalformedInputException("a request id envelope cannot wrap another one");
            }
            c = new Command.Dedup(id, now, decodeBody(inner, r));
        } else {
            c = decodeBody(tag, r);
        }
        r.expectEnd();
        return c;
    }

    /** Reads the fields of a command of type {@code tag}. */
    private static Command decodeBody(int tag, WireReader r) {
        return switch (tag) {
            case KV_SET -> new Command.KvSet(r.str("key"), r.bytes("value"), r.i64("flags"), optLong(r));
            case KV_DELETE -> new Command.KvDelete(r.str("key"), optLong(r));
            case KV_DELETE_TREE -> new Command.KvDeleteTree(r.str("prefix"));
            case KV_ACQUIRE -> new Command.KvAcquire(r.str("key"), r.bytes("value"), r.i64("flags"),
                    r.str("session"), r.i64("now"));
            case KV_RELEASE -> new Command.KvRelease(r.str("key"), r.bytes("value"), r.i64("flags"),
                    r.str("session"));
            case KV_TXN -> {
                long now = r.i64("now");
                int n = r.count("txn ops", MAX_WIRE_TXN_OPS);
                List<TxnOp> ops = new ArrayList<>(n);
                TxnOp.Verb[] verbs = TxnOp.Verb.values();
                for (int i = 0; i < n; i++) {
                    int v = r.u8("verb");
                    if (v >= verbs.length) {
                        throw new MalformedInputException("unknown txn verb " + v);
                    }
                    ops.add(new TxnOp(verbs[v], r.str("key"), r.bytes("value"), r.i64("flags"), r.i64("index"),
                            r.str("session")));
                }
                yield new Command.KvTxn(ops, now);
            }
            case TOMBSTONE_REAP -> new Command.TombstoneReap(r.i64("upTo"), r.i64("now"));
            case RESTORE_BEGIN -> new Command.RestoreBegin(r.str("restore id"), r.i64("total bytes"), r.i64("crc32c"));
            case RESTORE_CHUNK -> new Command.RestoreChunk(r.str("restore id"), r.i64("offset"), r.bytes("piece"));
            case RESTORE_COMMIT -> new Command.RestoreCommit(r.str("restore id"));
            // The ACL (100..109) and prepared-query (110..119) ranges are apart (CodecTagRangesTest).
            // Autopilot (112..115) sits inside the prepared-query range, so it is asked first.
            default -> AutopilotCodec.handles(tag) ? AutopilotCodec.decode(tag, r) : QueryCodec.handles(tag) ? QueryCodec.decode(tag, r)
                    : AclCodec.handles(tag) ? AclCodec.decode(tag, r) : CatalogCodec.decode(tag, r);
        };
    }

    /** Encodes a result. */
    public static byte[] encodeResult(CommandResult res) {
        WireWriter w = new WireWriter();
        w.u8(FORMAT);
        if (res instanceof CommandResult.Repeated rep) {
            w.u8(R_REPEATED).i64(rep.index());
            res = rep.result();
        }
        encodeResultBody(w, res);
        return w.toByteArray();
    }

    /** Writes a result's tag and fields (everything but the format byte). */
    private static void encodeResultBody(WireWriter w, CommandResult res) {
        if (res instanceof CommandResult.Bool b) {
            w.u8(R_BOOL).bool(b.value());
        } else if (res instanceof CommandResult.Done) {
            w.u8(R_DONE);
        } else if (res instanceof CommandResult.Count c) {
            w.u8(R_COUNT).i64(c.value());
        } else if (res instanceof CommandResult.Failed f) {
            w.u8(R_FAILED).u8(f.kind().ordinal()).str(f.message());
        } else if (res instanceof CommandResult.TxnOutcome t) {
            w.u8(R_TXN).i32(t.results().size());
            for (KvEntry e : t.results()) {
                writeKv(w, e);
            }
            w.i32(t.errors().size());
            for (CommandResult.TxnError e : t.errors()) {
                w.i32(e.opIndex()).str(e.what());
            }
        } else {
            CatalogCodec.encodeResult(w, res);
        }
    }

    /** Decodes a result; throws {@link IllegalArgumentException} for malformed input. */
    public static CommandResult decodeResult(byte[] bytes) {
        if (bytes == null || bytes.length < 2) {
            throw new MalformedInputException("result too short");
        }
        WireReader r = new WireReader(bytes);
        int format = r.u8("format");
        if (format != FORMAT) {
            throw new MalformedInputException("unsupported result format " + format);
        }
        int tag = r.u8("type");
        CommandResult res;
        if (tag == R_REPEATED) {
            long index = r.i64("first index");
            int inner = r.u8("repeated type");
            if (inner == R_REPEATED) {
                throw new MalformedInputException("a repeated result cannot wrap another one");
            }
            res = new CommandResult.Repeated(index, decodeResultBody(inner, r));
        } else {
            res = decodeResultBody(tag, r);
        }
        r.expectEnd();
        return res;
    }

    /** Reads the fields of a result of type {@code tag}. */
    private static CommandResult decodeResultBody(int tag, WireReader r) {
        return switch (tag) {
            case R_BOOL -> new CommandResult.Bool(r.bool("bool"));
            case R_DONE -> new CommandResult.Done();
            case R_COUNT -> new CommandResult.Count(r.i64("count"));
            case R_FAILED -> {
                int k = r.u8("kind");
                CommandResult.Failed.Kind[] kinds = CommandResult.Failed.Kind.values();
                if (k >= kinds.length) {
                    throw new MalformedInputException("unknown failure kind " + k);
                }
                yield new CommandResult.Failed(kinds[k], r.str("message"));
            }
            case R_TXN -> {
                int n = r.count("results", WireReader.MAX_COUNT);
                List<KvEntry> results = new ArrayList<>(Math.min(n, 1024));
                for (int i = 0; i < n; i++) {
                    results.add(readKv(r));
                }
                int m = r.count("errors", MAX_WIRE_TXN_OPS);
                List<CommandResult.TxnError> errors = new ArrayList<>(m);
                for (int i = 0; i < m; i++) {
                    errors.add(new CommandResult.TxnError(r.i32("opIndex"), r.str("what")));
                }
                yield new CommandResult.TxnOutcome(results, errors);
            }
            default -> CatalogCodec.decodeResult(tag, r);
        };
    }

    /** Writes a KV entry (also used by snapshots). */
    public static void writeKv(WireWriter w, KvEntry e) {
        w.str(e.key()).i64(e.createIndex()).i64(e.modifyIndex()).i64(e.lockIndex()).i64(e.flags()).bytes(e.value())
                .str(e.session());
    }

    /** Reads a KV entry. */
    public static KvEntry readKv(WireReader r) {
        return new KvEntry(r.str("key"), r.i64("createIndex"), r.i64("modifyIndex"), r.i64("lockIndex"),
                r.i64("flags"), r.bytes("value"), r.str("session"));
    }

    static void optLong(WireWriter w, OptionalLong v) {
        w.bool(v.isPresent());
        w.i64(v.orElse(0));
    }

    static OptionalLong optLong(WireReader r) {
        boolean present = r.bool("optional flag");
        long v = r.i64("optional value");
        return present ? OptionalLong.of(v) : OptionalLong.empty();
    }
}
