/**
 * The state store's public API: {@link io.tribune.state.StateStore} (the state machine and its
 * reads, watches and change feed), the {@link io.tribune.state.Command} records with their
 * {@link io.tribune.state.CommandResult}s and {@link io.tribune.state.CommandValidator}, and the
 * value records mirroring Consul's JSON ({@link io.tribune.state.KvEntry},
 * {@link io.tribune.state.Node}, {@link io.tribune.state.NodeService},
 * {@link io.tribune.state.HealthCheck}, {@link io.tribune.state.Session},
 * {@link io.tribune.state.EventRecord}, {@link io.tribune.state.Coordinate}).
 *
 * <p>Typical HTTP handler for a KV read with a blocking query:
 * <pre>{@code
 * Duration wait = BlockingWait.effectiveWait(requestedWait, random.nextDouble());
 * store.watch(WatchTarget.kvKey(key), clientIndex)
 *      .completeOnTimeout(-1L, wait.toMillis(), TimeUnit.MILLISECONDS)
 *      .thenRun(() -> {
 *          Indexed<Optional<KvEntry>> r = store.kvGet(key);
 *          respond(r.index(), r.value());   // X-Consul-Index: r.index()
 *      });
 * }</pre>
 * and for a write:
 * <pre>{@code
 * Command cmd = new Command.KvSet(key, body, flags, cas);
 * Optional<String> bad = CommandValidator.validate(cmd);      // 400 if present
 * consensus.apply(cmd.encode(), timeout)
 *          .thenApply(a -> CommandResult.decode(a.result()));  // Bool(true|false)
 * }</pre>
 * A write that may be retried after a lost reply goes in a {@link io.tribune.state.Command.Dedup}
 * envelope carrying the request's {@link io.tribune.state.RequestId}, chosen once and repeated by
 * every retry; the store then applies it at most once and answers a retry with
 * {@link io.tribune.state.CommandResult.Repeated} (the first index and result, which
 * {@link io.tribune.state.CommandResult#original} unwraps):
 * <pre>{@code
 * byte[] once = new Command.Dedup(requestId, wallMillis, cmd).encode();   // the same bytes on every retry
 * consensus.apply(once, timeout).thenApply(a -> CommandResult.decode(CommandResult.original(a).result()));
 * }</pre>
 */
package io.tribune.state;
