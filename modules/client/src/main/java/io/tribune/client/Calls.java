package io.tribune.client;

import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.StreamObserver;
import io.tribune.api.grpc.v1.Consistency;
import io.tribune.api.grpc.v1.ReadOptions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * What every API area shares: the channel (with the client's ACL token on every call, when set),
 * the per-call deadline and the default consistency.
 */
final class Calls {
    final Channel channel;
    final Duration deadline;
    final ReadOptions read;

    Calls(ManagedChannel channel, Duration deadline, Consistency consistency, String token) {
        if (token.isEmpty()) {
            this.channel = channel;
        } else {
            // The agent takes the token from the call's metadata (x-consul-token), as HTTP's header.
            Metadata headers = new Metadata();
            headers.put(Metadata.Key.of("x-consul-token", Metadata.ASCII_STRING_MARSHALLER), token);
            this.channel = ClientInterceptors.intercept(channel, MetadataUtils.newAttachHeadersInterceptor(headers));
        }
        this.deadline = deadline;
        this.read = ReadOptions.newBuilder().setConsistency(consistency).build();
    }

    /** {@code stub} with this client's deadline, counted from now. */
    <S extends AbstractStub<S>> S timed(S stub) {
        return stub.withDeadlineAfter(deadline.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Runs an async unary call as a future that fails with {@link TribuneException}. */
    static <T> CompletableFuture<T> future(Consumer<StreamObserver<T>> call) {
        CompletableFuture<T> f = new CompletableFuture<>();
        call.accept(new StreamObserver<>() {
            @Override
            public void onNext(T value) {
                f.complete(value);
            }

            @Override
            public void onError(Throwable t) {
                f.completeExceptionally(TribuneException.of(t));
            }

            @Override
            public void onCompleted() {
                if (!f.isDone()) {
                    f.completeExceptionally(new IllegalStateException("the server answered nothing"));
                }
            }
        });
        return f;
    }

    /** Runs an async unary call and waits for it, rethrowing its {@link TribuneException}. */
    static <T, R> R await(CompletableFuture<T> f, Function<T, R> map) {
        try {
            return map.apply(f.get());
        } catch (ExecutionException | CompletionException e) {
            throw TribuneException.of(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for the server", e);
        }
    }
}
