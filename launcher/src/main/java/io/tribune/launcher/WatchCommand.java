package io.tribune.launcher;

import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonParser;
import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;

/**
 * {@code tribune watch -type=...}: Consul's watch from the command line. Each change of the watched
 * view, found with blocking queries ({@code ?index=N&wait=}), prints the view's JSON to standard
 * output, or with {@code -handler} runs {@code sh -c HANDLER} with the JSON on its standard input
 * and {@code CONSUL_INDEX} in its environment, as Consul does. The first answer counts as a change;
 * an answer equal to the last one (a blocking query woken by an unrelated write) does not.
 *
 * <p>Errors (the agent unreachable, a 5xx) are retried with a doubling pause from 1 s up to 30 s;
 * {@value #MAX_FAILURES} failures in a row stop the watch with exit code 1. It runs until
 * interrupted (SIGINT or SIGTERM end the JVM; a running handler is killed). Single-threaded.
 */
@Command(addMethodSubcommands = false, name = "watch", sortOptions = false,
        description = "Watches a view (key, keyprefix, services, nodes, service, checks, event) and prints its JSON"
                + " on each change, or runs -handler with the JSON on its standard input.")
final class WatchCommand extends ClientCommands.Base {
    /** Failures in a row that stop the watch: about 3 minutes of retries with the backoff below. */
    static final int MAX_FAILURES = 10;
    static final Duration FIRST_RETRY = Duration.ofSeconds(1);
    static final Duration MAX_RETRY = Duration.ofSeconds(30);
    /** How long the agent holds each blocking query (Consul's default is 5 min; shorter notices a dead agent sooner). */
    static final String WAIT = "60s";

    @Option(names = {"-type", "--type"}, required = true, paramLabel = "TYPE",
            description = "key, keyprefix, services, nodes, service, checks or event")
    String type;

    @Option(names = {"-key", "--key"}, paramLabel = "KEY", description = "the key (type key)")
    String key;

    @Option(names = {"-prefix", "--prefix"}, paramLabel = "PREFIX", description = "the key prefix (type keyprefix)")
    String prefix;

    @Option(names = {"-service", "--service"}, paramLabel = "NAME", description = "the service (type service; checks of it)")
    String service;

    @Option(names = {"-tag", "--tag"}, paramLabel = "TAG", description = "only instances with this tag (type service)")
    List<String> tags = new ArrayList<>();

    @Option(names = {"-passingonly", "--passingonly"}, paramLabel = "BOOL", arity = "0..1", fallbackValue = "true",
            description = "only instances whose checks all pass (type service)")
    boolean passingOnly;

    @Option(names = {"-state", "--state"}, paramLabel = "STATE",
            description = "checks in this state: any, passing, warning, critical (type checks)")
    String state;

    @Option(names = {"-name", "--name"}, paramLabel = "NAME", description = "the event name (type event)")
    String name;

    @Option(names = {"-handler", "--handler"}, paramLabel = "CMD",
            description = "a shell command run on each change with the JSON on its standard input")
    String handler;

    @Option(names = {"-datacenter", "--datacenter"}, paramLabel = "DC", description = "the datacenter to watch")
    String datacenter;

    @Option(names = {"-stale", "--stale"}, description = "let any server answer")
    boolean stale;

    private static final Gson GSON = new GsonBuilder().serializeNulls().disableHtmlEscaping().create();

    /** Changes to handle before returning 0; 0 is forever. Tests set it; no flag. */
    int stopAfter;

    @Override
    int run() throws ApiClient.ApiException, IOException {
        String path = path();
        ApiClient api = api();
        long index = 0;
        String last = null;
        int failures = 0;
        int changes = 0;
        Duration pause = FIRST_RETRY;
        while (true) {
            ApiResponse r;
            try {
                r = api.send("GET", path + (path.contains("?") ? "&" : "?") + "index=" + index + "&wait=" + WAIT, null,
                        Duration.ofSeconds(90));
            } catch (ApiClient.ApiException e) {
                r = null;
                err().println("Error querying the agent: " + e.getMessage());
            }
            int code = r == null ? 0 : r.statusCode();
            if (r != null && code / 100 == 4 && code != 404) {
                // A bad request stays bad: retrying would not help.
                throw new ApiClient.ApiException(code, "Unexpected response code: " + code + " ("
                        + new String(r.body(), StandardCharsets.UTF_8).trim() + ")");
            }
            if (r == null || code / 100 == 5) {
                if (r != null) {
                    err().println("Error querying the agent: Unexpected response code: " + code + " ("
                            + new String(r.body(), StandardCharsets.UTF_8).trim() + ")");
                }
                if (++failures >= MAX_FAILURES) {
                    err().println("Error! giving up after " + failures + " failures in a row");
                    return 1;
                }
                sleep(pause);
                pause = pause.multipliedBy(2).compareTo(MAX_RETRY) > 0 ? MAX_RETRY : pause.multipliedBy(2);
                continue;
            }
            failures = 0;
            pause = FIRST_RETRY;
            long next = r.header("X-Consul-Index").map(Long::parseLong).orElse(0L);
            // An index that goes backwards (a restored snapshot, a new leader) restarts from 0, as Consul's watch does.
            index = next < index ? 0 : next;
            String json = render(type, code == 404 ? null : new String(r.body(), StandardCharsets.UTF_8));
            if (json.equals(last)) {
                continue;
            }
            last = json;
            if (handler == null) {
                out().println(json);
                out().flush();
            } else {
                runHandler(json, index);
            }
            if (stopAfter > 0 && ++changes >= stopAfter) {
                return 0;
            }
        }
    }

    /** The HTTP path of the watched view; a missing or meaningless parameter is a usage error. */
    String path() {
        List<String> q = new ArrayList<>();
        if (datacenter != null) {
            q.add("dc=" + ApiClient.enc(datacenter));
        }
        if (stale) {
            q.add("stale");
        }
        String p = switch (type) {
            case "key" -> "/v1/kv/" + ApiClient.enc(require(key, "-key"));
            case "keyprefix" -> {
                q.add("recurse");
                yield "/v1/kv/" + ApiClient.enc(require(prefix, "-prefix"));
            }
            case "services" -> "/v1/catalog/services";
            case "nodes" -> "/v1/catalog/nodes";
            case "service" -> {
                tags.forEach(t -> q.add("tag=" + ApiClient.enc(t)));
                if (passingOnly) {
                    q.add("passing");
                }
                yield "/v1/health/service/" + ApiClient.enc(require(service, "-service"));
            }
            case "checks" -> {
                if (service != null && state != null) {
                    throw new ParameterException(spec.commandLine(), "Cannot specify service and state");
                }
                if (state != null && !List.of("any", "passing", "warning", "critical").contains(state)) {
                    throw new ParameterException(spec.commandLine(), "-state must be any, passing, warning or critical");
                }
                yield service != null ? "/v1/health/checks/" + ApiClient.enc(service)
                        : "/v1/health/state/" + (state == null ? "any" : state);
            }
            case "event" -> {
                if (name != null) {
                    q.add("name=" + ApiClient.enc(name));
                }
                yield "/v1/event/list";
            }
            default -> throw new ParameterException(spec.commandLine(), "Unsupported watch type: " + type
                    + " (key, keyprefix, services, nodes, service, checks, event)");
        };
        return q.isEmpty() ? p : p + "?" + String.join("&", q);
    }

    private String require(String v, String flag) {
        if (v == null) {
            throw new ParameterException(spec.commandLine(), "Must specify " + flag + " for watch type " + type);
        }
        return v;
    }

    /**
     * The JSON a watch hands on for an answer's {@code body} (null: 404, nothing there), indented by
     * four spaces as Consul's CLI prints it: a key watch gives the entry itself (or {@code null}),
     * a keyprefix watch an array ({@code []} when empty), the others the endpoint's JSON.
     */
    static String render(String type, String body) {
        JsonElement e = body == null ? (type.equals("key") ? JsonNull.INSTANCE : JsonParser.parseString("[]"))
                : JsonParser.parseString(body);
        if (type.equals("key") && e.isJsonArray()) {
            e = e.getAsJsonArray().isEmpty() ? JsonNull.INSTANCE : e.getAsJsonArray().get(0);
        }
        StringWriter w = new StringWriter();
        JsonWriter jw = new JsonWriter(w);
        jw.setIndent("    ");
        GSON.toJson(e, jw);
        return w.toString();
    }

    private void runHandler(String json, long index) throws IOException {
        ProcessBuilder pb = new ProcessBuilder("/bin/sh", "-c", handler).redirectErrorStream(true);
        pb.environment().put("CONSUL_INDEX", Long.toString(index));
        Process p = pb.start();
        Thread reaper = new Thread(p::destroyForcibly, "watch-handler-kill");
        Runtime.getRuntime().addShutdownHook(reaper);
        try {
            try (var in = p.getOutputStream()) {
                in.write(json.getBytes(StandardCharsets.UTF_8));
            } catch (IOException ignored) {
                // The handler need not read its input (Consul's neither requires it).
            }
            String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            int code = p.waitFor();
            out().print(output);
            out().flush();
            if (code != 0) {
                err().println("Error executing handler: exit status " + code);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            p.destroyForcibly();
        } finally {
            try {
                Runtime.getRuntime().removeShutdownHook(reaper);
            } catch (IllegalStateException ignored) {
                // Shutting down already: the hook runs and kills the handler.
            }
        }
    }

    private static void sleep(Duration d) {
        try {
            TimeUnit.MILLISECONDS.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
