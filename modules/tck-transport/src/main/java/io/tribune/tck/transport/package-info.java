/**
 * Conformance suites for transport plugins.
 *
 * <p>{@link io.tribune.tck.transport.TransportConformanceTest} covers unary calls, client streams,
 * size limits, deadlines, cancellation, failure codes and the lifecycle. A binding supplies the
 * factory and may override how setups, contexts and unreachable endpoints are made.
 */
package io.tribune.tck.transport;
