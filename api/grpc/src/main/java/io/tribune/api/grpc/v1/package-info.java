/**
 * Generated messages and stubs of Tribune's gRPC API, package {@code tribune.v1}; the
 * {@code .proto} files that define them (with their comments) ship in this jar under
 * {@code tribune/v1/}.
 *
 * <p>Conventions: every read takes {@link io.tribune.api.grpc.v1.ReadOptions} and answers a
 * {@link io.tribune.api.grpc.v1.QueryMeta} (index, known leader, last contact); every write
 * answers a {@link io.tribune.api.grpc.v1.WriteMeta}. Failed conditions of a write (CAS,
 * lock, transaction checks) are results ({@code succeeded = false}), not errors. Errors are gRPC
 * status codes with a {@code google.rpc.ErrorInfo} detail whose reason is an
 * {@link io.tribune.api.grpc.v1.ErrorReason} name.
 */
package io.tribune.api.grpc.v1;
