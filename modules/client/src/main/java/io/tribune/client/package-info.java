/**
 * A small Java client of Tribune's native gRPC API: {@link io.tribune.client.TribuneClient} and
 * its builder, one class per API area, {@link io.tribune.client.Watch} streams and
 * {@link io.tribune.client.WatchListener}s for watches, and
 * {@link io.tribune.client.TribuneException} for failures. Messages are the generated
 * {@code io.tribune.api.grpc.v1} classes.
 */
package io.tribune.client;
