package io.tribune.state;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks a {@link Command} before it is proposed, returning a message fit for an HTTP 400 body.
 * {@link StateStore#apply} runs the same checks again, so a bad entry that reaches the log
 * produces a {@link CommandResult.Failed} result on every server instead of an exception.
 *
 * <p>Stateless and thread-safe.
 */
public final class CommandValidator {
    /** Longest KV key, in UTF-8 bytes. */
    public static final int MAX_KEY_BYTES = 2048;
    /** Largest KV value: 512 KiB, Consul's default {@code kv_max_value_size}. */
    public static final int MAX_VALUE_BYTES = 512 * 1024;
    /** Most operations in one transaction, Consul's limit. */
    public static final int MAX_TXN_OPS = 64;
    /** Longest node, service, check, tag, address or other name, in UTF-8 bytes. */
    public static final int MAX_NAME_BYTES = 512;
    /** Most metadata pairs on a node or service (Consul's limit). */
    public static final int MAX_META_PAIRS = 64;
    /** Longest metadata key, in bytes (Consul's limit). */
    public static final int MAX_META_KEY_BYTES = 128;
    /** Longest metadata value, in bytes (Consul's limit). */
    public static final int MAX_META_VALUE_BYTES = 512;
    /** Most tags on a service instance. */
    public static final int MAX_TAGS = 256;
    /** Most checks in one registration or session. */
    public static final int MAX_CHECKS = 64;
    /** Longest check output or notes, in bytes (the agent truncates to 4 KiB by default). */
    public static final int MAX_CHECK_OUTPUT_BYTES = 64 * 1024;
    /** Shortest non-zero session TTL: 10 s, as Consul. */
    public static final long MIN_SESSION_TTL_MILLIS = 10_000;
    /** Longest session TTL: 24 h, as Consul. */
    public static final long MAX_SESSION_TTL_MILLIS = 86_400_000;
    /** Longest lock-delay: 60 s, as Consul. */
    public static final long MAX_LOCK_DELAY_MILLIS = 60_000;
    /** Largest user event payload, in bytes (Consul's gossip-imposed limit). */
    public static final int MAX_EVENT_PAYLOAD_BYTES = 512;
    /** Most coordinates in one update batch. */
    public static final int MAX_COORDINATE_UPDATES = 1024;
    /** Most dimensions of a coordinate vector (Consul uses 8). */
    public static final int MAX_COORDINATE_DIMENSIONS = 16;

    /** Largest snapshot a staged restore accepts: 512 MiB (every server buffers it until the commit). */
    public static final long MAX_RESTORE_BYTES = 512L * 1024 * 1024;
    /**
     * Largest piece of a staged restore: 512 KiB, half of the smallest default command bound
     * ({@code raft.max-command-bytes}, 1 MiB), so a piece and its framing always fit one entry.
     */
    public static final int MAX_RESTORE_CHUNK_BYTES = 512 * 1024;

    private static final Pattern UUID = Pattern.compile(
            "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}");

    private CommandValidator() {
    }

    /** The first problem with {@code command}, or empty when it may be proposed. */
    public static Optional<String> validate(Command command) {
        if (command == null) {
            return Optional.of("missing command");
        }
        List<String> problems = new ArrayList<>(1);
        check(command, problems);
        return problems.isEmpty() ? Optional.empty() : Optional.of(problems.get(0));
    }

    /**
     * Throws {@link IllegalArgumentException} with the problem's message unless {@code command}
     * is valid; returns it otherwise.
     */
    public static <C extends Command> C requireValid(C command) {
        validate(command).ifPresent(m -> {
            throw new IllegalArgumentException(m);
        });
        return command;
    }

    /** Whether {@code id} is a session id in the canonical 36-character UUID form. */
    public static boolean isSessionId(String id) {
        return id != null && UUID.matcher(id).matches();
    }

    private static void check(Command c, List<String> p) {
        if (c instanceof Command.Dedup d) {
            nonNegative("request time", d.nowMillis(), p);
            if (p.isEmpty()) {
                check(d.command(), p);
            }
        } else if (c instanceof Command.KvSet s) {
            key(s.key(), p);
            value(s.value().length, p);
            s.cas().ifPresent(v -> nonNegative("cas", v, p));
        } else if (c instanceof Command.KvDelete d) {
            key(d.key(), p);
            d.cas().ifPresent(v -> nonNegative("cas", v, p));
        } else if (c instanceof Command.KvDeleteTree d) {
            prefix(d.prefix(), p);
        } else if (c instanceof Command.KvAcquire a) {
            key(a.key(), p);
            value(a.value().length, p);
            session(a.session(), p);
        } else if (c instanceof Command.KvRelease r) {
            key(r.key(), p);
            value(r.value().length, p);
            session(r.session(), p);
        } else if (c instanceof Command.KvTxn t) {
            txn(t, p);
        } else if (c instanceof Command.TombstoneReap r) {
            nonNegative("tombstone reap index", r.upToIndex(), p);
        } else if (c instanceof Command.RestoreBegin b) {
            restoreId(b.id(), p);
            if (b.totalBytes() < 1 || b.totalBytes() > MAX_RESTORE_BYTES) {
                p.add("snapshot size " + b.totalBytes() + " is outside 1.." + MAX_RESTORE_BYTES + " bytes");
            }
            if (b.crc32c() < 0 || b.crc32c() > 0xFFFF_FFFFL) {
                p.add("snapshot checksum " + b.crc32c() + " is not an unsigned 32-bit value");
            }
        } else if (c instanceof Command.RestoreChunk k) {
            restoreId(k.id(), p);
            if (k.offset() < 0 || k.offset() >= MAX_RESTORE_BYTES) {
                p.add("restore offset " + k.offset() + " is outside 0.." + (MAX_RESTORE_BYTES - 1));
            }
            if (k.length() < 1 || k.length() > MAX_RESTORE_CHUNK_BYTES) {
                p.add("restore piece of " + k.length() + " bytes is outside 1.." + MAX_RESTORE_CHUNK_BYTES);
            }
        } else if (c instanceof Command.RestoreCommit m) {
            restoreId(m.id(), p);
        } else if (c instanceof Command.AclCommand a) {
            io.tribune.state.internal.AclOps.check(a, p);
        } else if (c instanceof Command.QueryCommand q) {
            io.tribune.state.internal.QueryOps.check(q, p);
        } else if (c instanceof Command.AutopilotSet) {
            return; // AutopilotConfig's constructor already bounds every field

        } else {
            CatalogValidation.check(c, p);
        }
    }

    private static void txn(Command.KvTxn t, List<String> p) {
        if (t.ops().isEmpty()) {
            p.add("transaction contains no operations");
            return;
        }
        if (t.ops().size() > MAX_TXN_OPS) {
            p.add("transaction contains too many operations (" + t.ops().size() + " > " + MAX_TXN_OPS + ")");
            return;
        }
        for (int i = 0; i < t.ops().size() && p.isEmpty(); i++) {
            TxnOp op = t.ops().get(i);
            List<String> q = new ArrayList<>(1);
            switch (op.verb()) {
                case GET_TREE, DELETE_TREE -> prefix(op.key(), q);
                default -> key(op.key(), q);
            }
            value(op.value().length, q);
            switch (op.verb()) {
                case LOCK, UNLOCK, CHECK_SESSION -> session(op.session(), q);
                case CAS, DELETE_CAS, CHECK_INDEX -> nonNegative("index", op.index(), q);
                default -> {
                }
            }
            if (!q.isEmpty()) {
                p.add("operation " + i + " (" + op.verb().wire() + "): " + q.get(0));
            }
        }
    }

    static void key(String key, List<String> p) {
        if (key == null || key.isEmpty()) {
            p.add("missing key name");
            return;
        }
        bounded("key", key, MAX_KEY_BYTES, p);
    }

    static void prefix(String prefix, List<String> p) {
        if (prefix == null) {
            p.add("missing key prefix");
            return;
        }
        bounded("key prefix", prefix, MAX_KEY_BYTES, p);
    }

    static void bounded(String what, String s, int maxBytes, List<String> p) {
        // A UTF-8 encoding is at most 3 bytes per UTF-16 unit, so short strings need no encoding.
        if (s.length() * 3 > maxBytes && s.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            p.add(what + " too long (more than " + maxBytes + " bytes)");
        }
    }

    static void value(int length, List<String> p) {
        if (length > MAX_VALUE_BYTES) {
            p.add("value too large (" + length + " bytes > " + MAX_VALUE_BYTES + ")");
        }
    }

    static void session(String id, List<String> p) {
        if (!isSessionId(id)) {
            p.add("invalid session id '" + abbreviate(id) + "': expected a UUID");
        }
    }

    static void restoreId(String id, List<String> p) {
        if (id == null || !UUID.matcher(id).matches()) {
            p.add("invalid restore id '" + abbreviate(id) + "': expected a UUID");
        }
    }

    static void nonNegative(String what, long v, List<String> p) {
        if (v < 0) {
            p.add(what + " must not be negative (was " + v + ")");
        }
    }

    static String abbreviate(String s) {
        if (s == null) {
            return "null";
        }
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
