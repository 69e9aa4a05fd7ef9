package io.tribune.tck.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.api.transport.TransportException;
import io.tribune.api.transport.TransportException.Code;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.Test;

/**
 * The SPI value the delivery cases of the kit rely on: how a transport says "certainly not
 * delivered", that older constructors mean "unknown", and that the flag survives a future.
 */
class TransportExceptionTest {

    @Test
    void olderConstructorsMeanUnknown() {
        assertFalse(new TransportException(Code.UNAVAILABLE, "connection reset").notDelivered());
        assertFalse(new TransportException(Code.UNAVAILABLE, "connection reset", new IOException("rst")).notDelivered());
    }

    @Test
    void undeliveredSaysSoAndKeepsCodeAndMessage() {
        TransportException e = TransportException.undelivered(Code.UNAVAILABLE, "connection refused");
        assertTrue(e.notDelivered());
        assertEquals(Code.UNAVAILABLE, e.code());
        assertEquals("UNAVAILABLE: connection refused", e.getMessage());
        assertNull(e.getCause());
    }

    @Test
    void fullConstructorSetsEitherValueAndTheCause() {
        IOException refused = new IOException("refused");
        TransportException yes = new TransportException(Code.REFUSED, "handshake failed", refused, true);
        TransportException no = new TransportException(Code.UNAVAILABLE, "reset", refused, false);
        assertTrue(yes.notDelivered());
        assertSame(refused, yes.getCause());
        assertFalse(no.notDelivered());
        assertThrows(NullPointerException.class, () -> new TransportException(null, "m", null, true));
        assertThrows(NullPointerException.class, () -> TransportException.undelivered(null, "m"));
    }

    @Test
    void flagTravelsUnchangedThroughDependentFutures() throws Exception {
        TransportException refused = TransportException.undelivered(Code.UNAVAILABLE, "nothing listens");
        CompletableFuture<byte[]> call = CompletableFuture.failedFuture(refused);
        CompletableFuture<Integer> dependent = call.thenApply(r -> r.length);

        CompletionException joined = assertThrows(CompletionException.class, dependent::join);
        assertSame(refused, joined.getCause());
        ExecutionException got = assertThrows(ExecutionException.class, dependent::get);
        assertSame(refused, got.getCause());
        Throwable[] seen = new Throwable[1];
        dependent.whenComplete((v, err) -> seen[0] = err);
        assertSame(refused, seen[0].getCause());
        assertTrue(((TransportException) seen[0].getCause()).notDelivered());
    }
}
