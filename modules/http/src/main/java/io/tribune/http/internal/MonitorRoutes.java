package io.tribune.http.internal;

import io.tribune.agent.observe.LogBroker;
import io.tribune.agent.observe.LogLevel;
import io.tribune.agent.observe.LogLine;
import io.tribune.agent.rpc.Observe;
import io.tribune.agent.rpc.Options;
import io.tribune.agent.rpc.Requests;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * {@code /v1/agent/monitor} and {@code /v1/agent/host}.
 *
 * <p><b>Monitor.</b> {@code GET /v1/agent/monitor?loglevel=info[&logjson]} answers 200 at once and then
 * streams, with chunked encoding, every log line at that level or above logged from then on, one per
 * line, in Consul's plain shape (or hclog JSON with {@code logjson}), until the client goes away. The
 * agent never waits for a slow client: each monitor buffers at most {@link #BUFFER_LINES} lines; lines
 * beyond are dropped and a {@code dropped N log lines} line says so once the client catches up.
 * ACL {@code agent:read}.
 *
 * <p><b>Host.</b> {@code GET /v1/agent/host}: Consul's shape; ACL {@code operator:read}.
 */
final class MonitorRoutes {
    /** Lines buffered per monitor before lines are dropped for it. */
    static final int BUFFER_LINES = 512;
    /** Lines written per turn of the event loop, so one busy monitor does not starve other connections. */
    static final int LINES_PER_TURN = 256;
    /** How long to wait before looking again at a client whose socket buffer is full, in milliseconds. */
    static final long BACKOFF_MILLIS = 50;
    private final Requests requests;
    private final LogBroker broker;

    MonitorRoutes(Requests requests, LogBroker broker) {
        this.requests = requests;
        this.broker = broker;
    }

    CompletableFuture<HttpResponse> monitor(HttpRequest req, String rest) {
        if (!rest.isEmpty()) {
            throw HttpError.notFound("no API at " + req.path());
        }
        Params.method(req, "GET");
        String name = req.param("loglevel").orElse("info");
        LogLevel level = LogLevel.parse(name.isEmpty() ? "info" : name).orElseThrow(() -> HttpError.badRequest(
                "Unknown log level: " + Params.abbreviate(name) + " (expected trace, debug, info, warn or err)"));
        boolean json = Params.flag(req, "logjson");
        return Calls.value(requests, new Observe.Monitor(level), Options.DEFAULT.withToken(Params.token(req)))
                .thenApply(ok -> HttpResponse.stream(200, "text/plain; charset=utf-8",
                        sink -> new Pump(broker, level, json, sink).start()));
    }

    CompletableFuture<HttpResponse> host(HttpRequest req, String rest) {
        if (!rest.isEmpty()) {
            throw HttpError.notFound("no API at " + req.path());
        }
        Params.method(req, "GET");
        return Calls.value(requests, new Observe.Host(), Options.DEFAULT.withToken(Params.token(req)))
                .thenApply(facts -> Json.ok(facts, req));
    }

    /**
     * Moves one monitor's lines from its watcher to its connection, on the connection's event loop:
     * woken by the broker when lines wait, it writes up to {@link #LINES_PER_TURN} lines per turn
     * while the client keeps up, and looks again after {@link #BACKOFF_MILLIS} while it does not.
     */
    static final class Pump implements Runnable {
        private final LogBroker broker;
        private final LogLevel level;
        private final boolean json;
        private final HttpResponse.StreamSink sink;
        private LogBroker.Watcher watcher;

        Pump(LogBroker broker, LogLevel level, boolean json, HttpResponse.StreamSink sink) {
            this.broker = broker;
            this.level = level;
            this.json = json;
            this.sink = sink;
        }

        void start() {
            try {
                watcher = broker.watch(level, BUFFER_LINES, () -> sink.execute(this));
            } catch (IllegalStateException e) {
                sink.send((e.getMessage() + "\n").getBytes(StandardCharsets.UTF_8));
                sink.end();
                return;
            }
            sink.onClose(watcher::close);
        }

        @Override
        public void run() {
            if (!sink.writable()) {
                sink.schedule(this, BACKOFF_MILLIS);
                return;
            }
            StringBuilder b = new StringBuilder();
            long dropped = watcher.takeDropped();
            if (dropped > 0) {
                b.append(new LogLine(Instant.now(), LogLevel.WARN, "agent.monitor", "dropped " + dropped
                        + " log lines: the client reads too slowly").format(json)).append('\n');
            }
            List<LogLine> lines = watcher.drain(LINES_PER_TURN);
            for (LogLine l : lines) {
                b.append(l.format(json)).append('\n');
            }
            if (b.length() > 0 && !sink.send(b.toString().getBytes(StandardCharsets.UTF_8))) {
                watcher.close();
            }
        }
    }
}
