package io.tribune.state;

import io.tribune.state.internal.Codec;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A write to the state store: what a server proposes to consensus and what
 * {@link StateStore#apply} executes on every server.
 *
 * <p><b>Encoding.</b> {@link #encode()} gives a versioned binary form (a format byte, a type tag,
 * then the fields) and {@link #decode(byte[])} reads it back; the format is documented in
 * {@code docs/state.md}. Commands carry every input apply needs, including the proposer's wall
 * time where time matters (session creation and renewal, lock-delay), so apply is a pure function
 * of state and command.
 *
 * <p><b>Validation.</b> Call {@link CommandValidator#validate} before proposing and answer the
 * client's error without proposing; apply validates again and turns a bad command into a
 * {@link CommandResult.Failed} result instead of throwing.
 *
 * <p>Each command's Javadoc names the {@link CommandResult} it produces.
 */
public sealed interface Command {

    /** The binary form: format byte, type tag, fields. */
    default byte[] encode() {
        return Codec.encodeCommand(this);
    }

    /**
     * Reads a command written by {@link #encode()}.
     *
     * @throws IllegalArgumentException for an unknown format version or type, truncated input,
     *                                  trailing bytes, or a field beyond its bound
     */
    static Command decode(byte[] bytes) {
        return Codec.decodeCommand(bytes);
    }

    /**
     * Wraps an already encoded command in a {@link Dedup} envelope without decoding it: the bytes
     * {@code new Dedup(id, nowMillis, decode(encoded)).encode()} would give. For forwarders that
     * hold only the encoded form.
     *
     * @throws IllegalArgumentException when {@code encoded} does not start like a command of the
     *                                  current format, or is already a {@link Dedup}
     */
    static byte[] withRequestId(byte[] encoded, RequestId id, long nowMillis) {
        return Codec.wrapDedup(encoded, id, nowMillis);
    }

    /**
     * The request id of an encoded {@link Dedup} envelope, read without decoding the command it
     * wraps; empty for any other bytes (another command, or bytes that are no command at all).
     */
    static Optional<RequestId> requestIdOf(byte[] encoded) {
        return Codec.dedupIdOf(encoded);
    }

    /**
     * {@code PUT /v1/kv/<key>[?flags=&cas=]}: writes a value, keeping an existing lock.
     * Result: {@link CommandResult.Bool}, false when the CAS check failed.
     *
     * @param key   the key
     * @param value the value (at most {@link CommandValidator#MAX_VALUE_BYTES}); copied
     * @param flags client flags
     * @param cas   when present, write only if the key's ModifyIndex equals it; 0 means only if
     *              the key does not exist
     */
    record KvSet(String key, byte[] value, long flags, OptionalLong cas) implements Command {
        /** Copies the value. */
        public KvSet {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(cas, "cas");
            value = value == null ? new byte[0] : value.clone();
        }

        /** A copy of the value. */
        @Override
        public byte[] value() {
            return value.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof KvSet k && key.equals(k.key) && Arrays.equals(value, k.value) && flags == k.flags
                    && cas.equals(k.cas);
        }

        @Override
        public int hashCode() {
            return Objects.hash(key, Arrays.hashCode(value), flags, cas);
        }
    }

    /**
     * {@code DELETE /v1/kv/<key>[?cas=]}: deletes one key, leaving a tombstone.
     * Result: {@link CommandResult.Bool}: true when deleted or already absent, false when the CAS
     * index did not match.
     *
     * @param key the key
     * @param cas when present, delete only if the key's ModifyIndex equals it
     */
    record KvDelete(String key, OptionalLong cas) implements Command {
        /** Checks fields. */
        public KvDelete {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(cas, "cas");
        }
    }

    /**
     * {@code DELETE /v1/kv/<prefix>?recurse}: deletes every key starting with {@code prefix}
     * (all keys when empty), leaving tombstones. Result: {@link CommandResult.Bool} true.
     *
     * @param prefix the prefix
     */
    record KvDeleteTree(String prefix) implements Command {
        /** Checks fields. */
        public KvDeleteTree {
            Objects.requireNonNull(prefix, "prefix");
        }
    }

    /**
     * {@code PUT /v1/kv/<key>?acquire=<session>}: takes the key's lock for a session and writes
     * the value. Succeeds when the key is unlocked (LockIndex is incremented) or already held by
     * the same session (value updated, LockIndex unchanged); fails while another session holds
     * it or while the key is in its lock-delay after an invalidation.
     * Result: {@link CommandResult.Bool}, or {@link CommandResult.Failed} when the session does
     * not exist.
     *
     * @param key       the key
     * @param value     the value; copied
     * @param flags     client flags
     * @param session   the acquiring session's id
     * @param nowMillis the proposer's wall clock, compared with the key's lock-delay expiry
     */
    record KvAcquire(String key, byte[] value, long flags, String session, long nowMillis) implements Command {
        /** Copies the value. */
        public KvAcquire {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(session, "session");
            value = value == null ? new byte[0] : value.clone();
        }

        /** A copy of the value. */
        @Override
        public byte[] value() {
            return value.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof KvAcquire k && key.equals(k.key) && Arrays.equals(value, k.value) && flags == k.flags
                    && session.equals(k.session) && nowMillis == k.nowMillis;
        }

        @Override
        public int hashCode() {
            return Objects.hash(key, Arrays.hashCode(value), flags, session, nowMillis);
        }
    }

    /**
     * {@code PUT /v1/kv/<key>?release=<session>}: releases the session's lock and writes the
     * value. Result: {@link CommandResult.Bool}: false when the key is absent or not held by that
     * session.
     *
     * @param key     the key
     * @param value   the value; copied
     * @param flags   client flags
     * @param session the releasing session's id
     */
    record KvRelease(String key, byte[] value, long flags, String session) implements Command {
        /** Copies the value. */
        public KvRelease {
            Objects.requireNonNull(key, "key");
            Objects.requireNonNull(session, "session");
            value = value == null ? new byte[0] : value.clone();
        }

        /** A copy of the value. */
        @Override
        public byte[] value() {
            return value.clone();
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof KvRelease k && key.equals(k.key) && Arrays.equals(value, k.value) && flags == k.flags
                    && session.equals(k.session);
        }

        @Override
        public int hashCode() {
            return Objects.hash(key, Arrays.hashCode(value), flags, session);
        }
    }

    /**
     * {@code PUT /v1/txn}: up to {@link CommandValidator#MAX_TXN_OPS} KV operations applied
     * atomically: all succeed, or none is applied and the result lists every failing operation.
     * Result: {@link CommandResult.TxnOutcome}.
     *
     * @param ops       the operations, in order
     * @param nowMillis the proposer's wall clock, for lock-delay checks of {@code lock} ops
     */
    record KvTxn(List<TxnOp> ops, long nowMillis) implements Command {
        /** Copies the list. */
        public KvTxn {
            ops = List.copyOf(ops);
        }
    }

    /**
     * A leader duty: forgets KV tombstones written at or below {@code upToIndex} and lock-delays
     * that expired by {@code nowMillis}. Reported indexes stay monotonic: a prefix whose newest
     * change was a reaped tombstone reports at least this command's index afterwards.
     * Result: {@link CommandResult.Count} of tombstones removed.
     *
     * @param upToIndex highest tombstone index to forget
     * @param nowMillis the proposer's wall clock
     */
    record TombstoneReap(long upToIndex, long nowMillis) implements Command {
    }

    /**
     * {@code PUT /v1/catalog/register} (and the agent's anti-entropy): creates or updates a node,
     * optionally one service instance on it, and checks on it. All or nothing: a check naming a
     * service that is not on the node fails the whole command. A check turning critical
     * invalidates the sessions bound to it. Unchanged rows are not rewritten, so re-registering
     * the same data moves no index and wakes no watcher. A node ID already owned by another node
     * name is refused.
     * Result: {@link CommandResult.Done} or {@link CommandResult.Failed}.
     *
     * @param node      the node (indexes ignored)
     * @param service   an instance to register on it (indexes ignored)
     * @param checks    checks to register; each check's node must be {@code node.node()}
     * @param nowMillis the proposer's wall clock, for the lock-delay of invalidated sessions
     */
    record Register(Node node, Optional<NodeService> service, List<HealthCheck> checks, long nowMillis)
            implements Command {
        /** Checks fields and copies the list. */
        public Register {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(service, "service");
            checks = List.copyOf(checks);
        }
    }

    /**
     * {@code PUT /v1/catalog/deregister}: removes a service instance (with its checks), a check,
     * or, when neither is given, the whole node with its services, checks, coordinates and
     * sessions (which are invalidated). Removing something absent is a no-op.
     * Result: {@link CommandResult.Done}.
     *
     * @param node      the node name
     * @param serviceId the instance to remove, if only that
     * @param checkId   the check to remove, if only that (ignored when serviceId is present)
     * @param nowMillis the proposer's wall clock, for the lock-delay of invalidated sessions
     */
    record Deregister(String node, Optional<String> serviceId, Optional<String> checkId, long nowMillis)
            implements Command {
        /** Checks fields. */
        public Deregister {
            Objects.requireNonNull(node, "node");
            Objects.requireNonNull(serviceId, "serviceId");
            Objects.requireNonNull(checkId, "checkId");
        }
    }

    /**
     * {@code PUT /v1/session/create}: creates a session whose id the proposer chose (a random
     * UUID) and whose {@link Session#lastRenewMillis()} is the proposer's wall clock. Fails when
     * the node or one of its checks is not registered, a check is critical, or the id is taken.
     * Result: {@link CommandResult.Done} or {@link CommandResult.Failed}.
     *
     * @param session the session (indexes ignored)
     */
    record SessionCreate(Session session) implements Command {
        /** Checks fields. */
        public SessionCreate {
            Objects.requireNonNull(session, "session");
        }
    }

    /**
     * {@code PUT /v1/session/renew/<id>}: records the proposer's wall clock as the last renewal,
     * restarting the TTL. Moves no index and wakes no watcher (renewals are frequent and change
     * nothing a client reads). Result: {@link CommandResult.Done}, or
     * {@link CommandResult.Failed} of kind NOT_FOUND.
     *
     * @param id        the session id
     * @param nowMillis the proposer's wall clock
     */
    record SessionRenew(String id, long nowMillis) implements Command {
        /** Checks fields. */
        public SessionRenew {
            Objects.requireNonNull(id, "id");
        }
    }

    /**
     * {@code PUT /v1/session/destroy/<id>}, and the leader's TTL invalidation: removes the
     * session and applies its behaviour to the keys it holds (release or delete), starting each
     * key's lock-delay at {@code nowMillis}. Result: {@link CommandResult.Bool}, whether it
     * existed.
     *
     * @param id        the session id
     * @param nowMillis the proposer's wall clock
     */
    record SessionDestroy(String id, long nowMillis) implements Command {
        /** Checks fields. */
        public SessionDestroy {
            Objects.requireNonNull(id, "id");
        }
    }

    /**
     * {@code PUT /v1/event/fire/<name>}: records a user event; the store keeps the latest
     * {@link StateStore#MAX_EVENTS} and sets {@link EventRecord#ltime()} to the raft index.
     * Result: {@link CommandResult.Done}.
     *
     * @param event the event (its ltime is ignored)
     */
    record EventFire(EventRecord event) implements Command {
        /** Checks fields. */
        public EventFire {
            Objects.requireNonNull(event, "event");
        }
    }

    /**
     * First step of a staged restore ({@code PUT /v1/snapshot}): announces a snapshot of
     * {@code totalBytes} bytes whose CRC32C is {@code crc32c}, to arrive in {@link RestoreChunk}s
     * and be swapped in by {@link RestoreCommit}. Abandons any staged restore still open (only one
     * is staged at a time, and its buffer is freed). Changes no table and wakes no watcher.
     * Result: {@link CommandResult.Done}.
     *
     * @param id         the restore's id, a UUID chosen by the proposer
     * @param totalBytes the snapshot's length, 1..{@link CommandValidator#MAX_RESTORE_BYTES}
     * @param crc32c     CRC32C of the whole snapshot, as an unsigned 32-bit value
     */
    record RestoreBegin(String id, long totalBytes, long crc32c) implements Command {
        /** Checks fields. */
        public RestoreBegin {
            Objects.requireNonNull(id, "id");
        }
    }

    /**
     * The next piece of a staged restore: appended to the staging buffer when {@code id} is the
     * restore staged now and {@code offset} is exactly the number of bytes staged so far and the
     * piece stays within the announced length. Anything else fails and changes nothing.
     * Result: {@link CommandResult.Count} of bytes staged after it, or {@link CommandResult.Failed}
     * ({@code NOT_FOUND} for an id that is not staged, {@code REJECTED} for an offset out of order
     * or a piece beyond the announced length).
     *
     * @param id     the restore's id
     * @param offset where the piece starts in the snapshot
     * @param bytes  the piece, 1..{@link CommandValidator#MAX_RESTORE_CHUNK_BYTES} bytes; copied
     */
    record RestoreChunk(String id, long offset, byte[] bytes) implements Command {
        /** Copies the bytes. */
        public RestoreChunk {
            Objects.requireNonNull(id, "id");
            bytes = bytes == null ? new byte[0] : bytes.clone();
        }

        /** A copy of the piece. */
        @Override
        public byte[] bytes() {
            return bytes.clone();
        }

        /** The piece's length, without copying it. */
        public int length() {
            return bytes.length;
        }

        /** Copies the piece into {@code dest} at {@code at}, without an intermediate copy. */
        public void copyTo(byte[] dest, int at) {
            System.arraycopy(bytes, 0, dest, at, bytes.length);
        }

        @Override
        public boolean equals(Object o) {
            return o instanceof RestoreChunk c && id.equals(c.id) && offset == c.offset && Arrays.equals(bytes, c.bytes);
        }

        @Override
        public int hashCode() {
            return Objects.hash(id, offset, Arrays.hashCode(bytes));
        }

        @Override
        public String toString() {
            return "RestoreChunk[id=" + id + ", offset=" + offset + ", length=" + bytes.length + "]";
        }
    }

    /**
     * Last step of a staged restore: when {@code id} is staged, all announced bytes arrived and
     * their CRC32C matches, the staged snapshot is decoded and replaces the whole state as of this
     * command's index (later entries apply on top; every watcher wakes and feed subscribers get
     * {@link ChangeListener#onReset}), and the staging is freed. A restore staged inside the
     * restored snapshot itself is dropped. A commit that fails (incomplete, checksum mismatch,
     * undecodable snapshot) abandons the staged restore and leaves the state as it was.
     * Result: {@link CommandResult.Done} or {@link CommandResult.Failed} ({@code NOT_FOUND} for an
     * id that is not staged, {@code REJECTED} when bytes are missing, {@code INVALID} for a
     * checksum mismatch or a snapshot that does not decode).
     *
     * @param id the restore's id
     */
    record RestoreCommit(String id) implements Command {
        /** Checks fields. */
        public RestoreCommit {
            Objects.requireNonNull(id, "id");
        }
    }

    /**
     * {@code PUT /v1/coordinate/update} (batched by the leader): sets network coordinates;
     * updates for nodes that are not registered are skipped, as in Consul.
     * Result: {@link CommandResult.Count} of coordinates stored.
     *
     * @param coordinates the new coordinates
     */
    record CoordinateUpdate(List<Coordinate> coordinates) implements Command {
        /** Copies the list. */
        public CoordinateUpdate {
            coordinates = List.copyOf(coordinates);
        }
    }

    /**
     * An envelope that makes {@code command} apply at most once: the client request id that the
     * agent where the request arrived chose once and every retry repeats (Raft thesis §6.3). The
     * first envelope with an id applies {@code command} and records its result under the id, at
     * this index, in the replicated dedup table; a later envelope with the same id (a retry after
     * a lost reply) applies nothing and returns {@link CommandResult.Repeated} with the recorded
     * result and index. The table keeps the ids of recent requests only (see
     * {@link StateStore#DEDUP_GENERATION_MILLIS} and the other bounds there); a retry of a request
     * the table no longer holds applies again.
     * Result: that of {@code command}, or {@link CommandResult.Repeated}.
     *
     * @param id        the request id
     * @param nowMillis the proposer's wall clock; the table measures the age of its entries with
     *                  the newest such time in the log, never with a local clock
     * @param command   the write; never itself a {@code Dedup}
     */
    record Dedup(RequestId id, long nowMillis, Command command) implements Command {
        /** Checks fields: envelopes do not nest. */
        public Dedup {
            Objects.requireNonNull(id, "id");
            Objects.requireNonNull(command, "command");
            if (command instanceof Dedup) {
                throw new IllegalArgumentException("a request id envelope cannot wrap another one");
            }
        }
    }

    // ------------------------------------------------------------------ ACL (tags 100..109)

    /**
     * The ACL commands (Consul 1.4's policies and tokens). Their codec tags are 100..109 (110..119
     * are the prepared queries'), far from the others; they are encoded by {@code AclCodec} and
     * applied by {@code AclOps}.
     */
    sealed interface AclCommand extends Command {
    }

    /**
     * Creates or updates a policy by ID; apply keeps the create index of an existing one. Fails
     * ({@link CommandResult.Failed.Kind#INVALID}) when another policy has the name.
     * Result: {@link CommandResult.Done}.
     *
     * @param policy the policy (its indexes are ignored)
     */
    record AclPolicySet(AclPolicy policy) implements AclCommand {
        /** Checks fields. */
        public AclPolicySet {
            Objects.requireNonNull(policy, "policy");
        }
    }

    /**
     * Deletes a policy by ID (absent: nothing changes). Tokens that link it keep the link, which
     * resolves to nothing, as in Consul. Result: {@link CommandResult.Bool} true.
     *
     * @param id the policy ID
     */
    record AclPolicyDelete(String id) implements AclCommand {
        /** Checks fields. */
        public AclPolicyDelete {
            Objects.requireNonNull(id, "id");
        }
    }

    /**
     * Creates or updates a token by AccessorID; apply keeps the create index and time of an
     * existing one. Fails ({@link CommandResult.Failed.Kind#INVALID}) when another token has the
     * secret or a linked policy does not exist. Result: {@link CommandResult.Done}.
     *
     * @param token the token (its indexes are ignored)
     */
    record AclTokenSet(AclToken token) implements AclCommand {
        /** Checks fields. */
        public AclTokenSet {
            Objects.requireNonNull(token, "token");
        }
    }

    /**
     * Deletes a token by AccessorID (absent: nothing changes). Result: {@link CommandResult.Bool} true.
     *
     * @param accessorId the token's AccessorID
     */
    record AclTokenDelete(String accessorId) implements AclCommand {
        /** Checks fields. */
        public AclTokenDelete {
            Objects.requireNonNull(accessorId, "accessorId");
        }
    }

    /**
     * The one-time ACL bootstrap: stores the first management token and records this index as the
     * bootstrap index. Allowed once; again only when {@code resetIndex} equals the recorded
     * bootstrap index (Consul's reset procedure: the operator writes that index into the
     * {@code acl-bootstrap-reset} file of the leader's data directory). Otherwise fails with
     * {@link CommandResult.Failed.Kind#REJECTED} naming the index to write.
     * Result: {@link CommandResult.Done}.
     *
     * @param token      the management token to store
     * @param resetIndex the index read from the reset file, 0 when there is none
     */
    record AclBootstrap(AclToken token, long resetIndex) implements AclCommand {
        /** Checks fields. */
        public AclBootstrap {
            Objects.requireNonNull(token, "token");
        }
    }

    /**
     * Creates the built-in objects when they are missing (the leader proposes it once ACLs are
     * on): each of {@code policy} and {@code token} is stored only if no policy with its ID, or
     * no token with its AccessorID, exists. Result: {@link CommandResult.Done}.
     *
     * @param policy the global-management policy
     * @param token  the anonymous token
     */
    record AclInit(AclPolicy policy, AclToken token) implements AclCommand {
        /** Checks fields. */
        public AclInit {
            Objects.requireNonNull(policy, "policy");
            Objects.requireNonNull(token, "token");
        }
    }

    /**
     * A batch of ACL policy replication from the primary datacenter (applied in a secondary by its
     * leader's replicator): first every policy of {@code deletes} is removed (absent: nothing
     * changes), then every policy of {@code upserts} is stored under its own (the primary's) ID,
     * keeping the create index of an existing one. The primary is authoritative for names: a
     * policy here that holds an upserted policy's name under another ID is removed. The
     * built-in global-management policy is never deleted. Tokens that link a removed policy keep
     * the link. Result: {@link CommandResult.Done}.
     *
     * @param upserts the policies to store (their indexes are ignored); at most
     *                {@code AclOps.MAX_REPLICATION_BATCH} together with {@code deletes}
     * @param deletes the IDs of the policies to remove
     */
    record AclReplicatePolicies(List<AclPolicy> upserts, List<String> deletes) implements AclCommand {
        /** Copies the lists. */
        public AclReplicatePolicies {
            upserts = List.copyOf(upserts);
            deletes = List.copyOf(deletes);
        }
    }

    /**
     * A batch of global-token replication from the primary datacenter: first every token of
     * {@code deletes} that exists and is not local is removed, then every token of {@code upserts}
     * is stored under its own AccessorID (keeping the create index of an existing one). Local
     * tokens are never changed: a replicated token whose AccessorID or SecretID a local token
     * holds is skipped. A global token here that holds an upserted token's secret under another
     * AccessorID is removed (the primary is authoritative). Links to policies that do not exist
     * are kept, as the primary keeps them. Result: {@link CommandResult.Done}.
     *
     * @param upserts the global tokens to store (none local; their indexes are ignored); at most
     *                {@code AclOps.MAX_REPLICATION_BATCH} together with {@code deletes}
     * @param deletes the AccessorIDs of the global tokens to remove
     */
    record AclReplicateTokens(List<AclToken> upserts, List<String> deletes) implements AclCommand {
        /** Copies the lists; does not print secrets. */
        public AclReplicateTokens {
            upserts = List.copyOf(upserts);
            deletes = List.copyOf(deletes);
        }
    }

    // ------------------------------------------------------------------ prepared queries (tags 110..119)

    /**
     * The prepared-query commands. Their codec tags are 110..119; they are encoded by
     * {@code QueryCodec} and applied by {@code QueryOps}.
     */
    sealed interface QueryCommand extends Command {
    }

    /**
     * Creates or updates a prepared query by ID; apply keeps the create index of an existing one.
     * Fails ({@link CommandResult.Failed.Kind#INVALID}) when its name is another query's name or
     * ID, when it is a template with an empty name and another such template exists, when its
     * template does not compile, or when its session does not exist.
     * Result: {@link CommandResult.Done}.
     *
     * @param query the query (its indexes are ignored)
     */
    record PreparedQuerySet(PreparedQuery query) implements QueryCommand {
        /** Checks fields. */
        public PreparedQuerySet {
            Objects.requireNonNull(query, "query");
        }
    }

    /**
     * Deletes a prepared query by ID. Result: {@link CommandResult.Bool}, whether it existed.
     *
     * @param id the query's ID
     */
    record PreparedQueryDelete(String id) implements QueryCommand {
        /** Checks fields. */
        public PreparedQueryDelete {
            Objects.requireNonNull(id, "id");
        }
    }

    // ------------------------------------------------------------------ autopilot (tags 112..115)

    /**
     * Stores the autopilot configuration (tag 112, encoded by {@code AutopilotCodec}). With
     * {@code casIndex >= 0} it is stored only when the stored configuration's modify index equals it
     * (0: none stored yet), as Consul's {@code ?cas=}. The stored configuration keeps its create index
     * and takes this command's index as modify index. Result: {@link CommandResult.Bool}, whether it was stored.
     *
     * @param config   the configuration (its indexes are ignored)
     * @param casIndex the expected modify index, or -1 for an unconditional write
     */
    record AutopilotSet(AutopilotConfig config, long casIndex) implements Command {
        /** Checks fields. */
        public AutopilotSet {
            Objects.requireNonNull(config, "config");
            if (casIndex < -1) {
                throw new IllegalArgumentException("casIndex must be -1 or an index");
            }
        }
    }
}
