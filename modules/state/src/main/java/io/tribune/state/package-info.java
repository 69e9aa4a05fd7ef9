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
 */
package io.tribune.state;
