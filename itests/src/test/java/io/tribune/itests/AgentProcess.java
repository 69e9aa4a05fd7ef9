package io.tribune.itests;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * A {@code bin/tribune} process started by a test. Its output goes to a log file that failures
 * print, deleted when the test JVM exits. {@link #close()} kills it (by PID, the process this object started) if still running.
 */
final class AgentProcess implements AutoCloseable {
    static final Path DIST = Path.of(System.getProperty("tribune.dist", "../bundles/target/dist")).toAbsolutePath()
            .normalize();
    static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    final Process process;
    final Path log;
    final int httpPort;
    final String host;

    private AgentProcess(Process process, Path log, int httpPort, String host) {
        this.process = process;
        this.log = log;
        this.httpPort = httpPort;
        this.host = host;
    }

    /** Runs {@code bin/tribune args...} with its output in a temp log file. */
    static AgentProcess start(int httpPort, List<String> args) throws IOException {
        return startOn("127.0.0.1", httpPort, args);
    }

    /** Like {@link #start}, for an agent whose HTTP API listens on {@code host} (its {@code -client}). */
    static AgentProcess startOn(String host, int httpPort, List<String> args) throws IOException {
        return startWrapped(List.of(), host, httpPort, args);
    }

    /**
     * Like {@link #startOn}, with {@code wrapper} before {@code bin/tribune} (for example
     * {@code ip netns exec NAME}); the wrapper must exec the agent, so that {@link #pid()} is the
     * agent's JVM.
     */
    static AgentProcess startWrapped(List<String> wrapper, String host, int httpPort, List<String> args)
            throws IOException {
        List<String> cmd = new ArrayList<>(wrapper);
        cmd.add(DIST.resolve("bin/tribune").toString());
        cmd.addAll(args);
        Path log = Files.createTempFile("tribune-it-", ".log");
        // Failures print the log in their messages while the run lasts; afterwards it is only litter
        // (hundreds of files piled up in /tmp over many runs).
        log.toFile().deleteOnExit();
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        return new AgentProcess(pb.start(), log, httpPort, host);
    }

    /** Runs {@code bin/tribune args...} to completion (at most 60 s) and returns exit code and output. */
    static Result run(List<String> args) throws IOException, InterruptedException {
        AgentProcess p = start(-1, args);
        try {
            if (!p.process.waitFor(60, TimeUnit.SECONDS)) {
                throw new AssertionError("tribune " + args + " did not finish in 60 s; output:\n" + p.output());
            }
            return new Result(p.process.exitValue(), p.output());
        } finally {
            p.close();
            Files.deleteIfExists(p.log);
        }
    }

    /** Exit code and combined output of a finished command. */
    record Result(int exitCode, String output) {
    }

    /** A free TCP port on 127.0.0.1 (closed before returning; the agent binds it next). */
    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            s.setReuseAddress(true);
            return s.getLocalPort();
        }
    }

    String output() {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "<no output: " + e + ">";
        }
    }

    HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://" + host + ":" + httpPort + path))
                .timeout(Duration.ofSeconds(20));
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return send("GET", path, null);
    }

    /** Waits (polling every 50 ms, at most {@code limit}) until the leader endpoint answers 200 with a leader. */
    void awaitLeader(Duration limit) throws InterruptedException {
        boolean ok = waitFor(limit, () -> {
            try {
                HttpResponse<String> r = get("/v1/status/leader");
                return r.statusCode() == 200 && r.body().length() > 2;
            } catch (IOException e) {
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
        if (!ok) {
            throw new AssertionError("agent did not elect a leader within " + limit + "; alive=" + process.isAlive()
                    + "; output:\n" + output());
        }
    }

    boolean waitFor(Duration limit, BooleanSupplier cond) throws InterruptedException {
        long end = System.nanoTime() + limit.toNanos();
        while (System.nanoTime() < end) {
            if (cond.getAsBoolean()) {
                return true;
            }
            if (!process.isAlive()) {
                return cond.getAsBoolean();
            }
            Thread.sleep(50);
        }
        return cond.getAsBoolean();
    }

    /** The PID of the process this object started. */
    long pid() {
        return process.pid();
    }

    /**
     * Sends {@code signal} (a name such as {@code STOP} or {@code CONT}) to the process this object
     * started, by PID, if it is still running.
     *
     * @throws IOException when {@code kill} fails for a live process
     */
    void signal(String signal) throws IOException, InterruptedException {
        if (!process.isAlive()) {
            return;
        }
        Process k = new ProcessBuilder("kill", "-" + signal, Long.toString(process.pid()))
                .redirectErrorStream(true).start();
        String out = new String(k.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        if (k.waitFor() != 0 && process.isAlive()) {
            throw new IOException("kill -" + signal + " " + process.pid() + " failed: " + out);
        }
    }

    /** Sends SIGKILL (the process this object started, by PID) and waits for it to die. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(30, TimeUnit.SECONDS);
    }

    /** Sends SIGTERM and waits for the exit code. */
    int terminate(Duration limit) throws InterruptedException {
        process.destroy(); // SIGTERM on Unix
        if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new AssertionError("agent did not exit within " + limit + " of SIGTERM; output:\n" + output());
        }
        return process.exitValue();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
