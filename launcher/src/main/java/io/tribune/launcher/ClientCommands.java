package io.tribune.launcher;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * CLI commands that talk to the local agent's HTTP API, with Consul's names and output. Exit codes:
 * 0 success, 1 an error from the agent (or it could not be reached), 2 bad usage.
 */
final class ClientCommands {
    private ClientCommands() {
    }

    /** Shared option and error handling. */
    abstract static class Base implements Callable<Integer> {
        @Spec
        CommandSpec spec;

        @Option(names = {"-http-addr", "--http-addr"}, paramLabel = "ADDR",
                description = "the agent's HTTP address (default: TRIBUNE_HTTP_ADDR, CONSUL_HTTP_ADDR or 127.0.0.1:8500)")
        String httpAddr;

        @Option(names = {"-token", "--token"}, paramLabel = "TOKEN",
                description = "the ACL token of the request (default: CONSUL_HTTP_TOKEN, else the agent's default)")
        String token;

        // config feature: HTTPS flags (-ca-file, -client-cert, -client-key, -tls-server-name).
        @picocli.CommandLine.Mixin
        TlsOptions tls = new TlsOptions();

        PrintWriter out() {
            return spec.commandLine().getOut();
        }

        PrintWriter err() {
            return spec.commandLine().getErr();
        }

        ApiClient api() {
            return new ApiClient(httpAddr, token, tls.settings());
        }

        @Override
        public final Integer call() {
            try {
                return run();
            } catch (ApiClient.ApiException e) {
                err().println("Error! " + e.getMessage());
                return 1;
            } catch (IOException e) {
                err().println("Error! " + e.getMessage());
                return 1;
            }
        }

        abstract int run() throws ApiClient.ApiException, IOException;
    }

    @Command(addMethodSubcommands = false, name = "members", description = "Lists the members of the agent's LAN gossip pool (-wan: the WAN pool),"
            + " sorted by name, with Consul's columns: Node Address Status Type Build Protocol DC Segment.")
    static final class Members extends Base {
        @Option(names = {"-wan", "--wan"}, description = "the WAN pool of the servers of every datacenter (servers only)")
        boolean wan;

        @Option(names = {"-detailed", "--detailed"}, description = "show every tag of each member (Node Address Status Tags)")
        boolean detailed;

        @Option(names = {"-status", "--status"}, paramLabel = "REGEXP", defaultValue = ".*",
                description = "only members whose status (alive, leaving, left, failed) matches the regular expression")
        String status;

        @Option(names = {"-segment", "--segment"}, paramLabel = "NAME",
                description = "only members of this network segment (Tribune has only the default segment, \"\")")
        String segment;

        @Override
        int run() throws ApiClient.ApiException {
            java.util.regex.Pattern p;
            try {
                p = java.util.regex.Pattern.compile("^(?:" + status + ")$");
            } catch (java.util.regex.PatternSyntaxException e) {
                throw new picocli.CommandLine.ParameterException(spec.commandLine(),
                        "Failed to compile status regexp: " + e.getDescription());
            }
            JsonArray a = JsonParser.parseString(api().callText("GET", "/v1/agent/members" + (wan ? "?wan=1" : "")))
                    .getAsJsonArray();
            String table = render(a, detailed, p, segment);
            out().print(table);
            out().flush();
            // As Consul: no member matching the filters is exit code 2, with no output.
            return table.isEmpty() ? 2 : 0;
        }
    }

    /**
     * The {@code members} table of {@code a} (the JSON of {@code /v1/agent/members}): sorted by name,
     * filtered by status and segment; Consul's columns, or {@code Node Address Status Tags} when
     * detailed (tags as {@code k=v} pairs sorted by key, comma-separated). Empty when nothing matches.
     */
    static String render(JsonArray a, boolean detailed, java.util.regex.Pattern status, String segment) {
        List<JsonObject> ms = new ArrayList<>();
        a.forEach(e -> ms.add(e.getAsJsonObject()));
        ms.sort(java.util.Comparator.comparing(m -> m.get("Name").getAsString()));
        List<String[]> rows = new ArrayList<>();
        rows.add(detailed ? new String[] {"Node", "Address", "Status", "Tags"}
                : new String[] {"Node", "Address", "Status", "Type", "Build", "Protocol", "DC", "Segment"});
        for (JsonObject m : ms) {
            JsonObject tags = m.has("Tags") && m.get("Tags").isJsonObject() ? m.getAsJsonObject("Tags") : new JsonObject();
            String st = switch (m.get("Status").getAsInt()) {
                case 1 -> "alive";
                case 2 -> "leaving";
                case 3 -> "left";
                case 4 -> "failed";
                default -> "none";
            };
            boolean server = "consul".equals(tag(tags, "role"));
            // As Consul: servers are in every segment, clients of the default one show <default>.
            String seg = server ? "<all>" : tag(tags, "segment").isEmpty() ? "<default>" : tag(tags, "segment");
            if (!status.matcher(st).matches()) {
                continue;
            }
            if (segment != null && !server && !segment.equals(tag(tags, "segment"))) {
                continue;
            }
            String addr = m.get("Addr").getAsString() + ":" + m.get("Port").getAsInt();
            if (detailed) {
                List<String> kv = new ArrayList<>();
                new TreeMap<>(tags.asMap()).forEach((k, v) -> kv.add(k + "=" + (v.isJsonNull() ? "" : v.getAsString())));
                rows.add(new String[] {m.get("Name").getAsString(), addr, st, String.join(",", kv)});
            } else {
                rows.add(new String[] {m.get("Name").getAsString(), addr, st, server ? "server" : "client",
                    tag(tags, "build"), tag(tags, "vsn"), tag(tags, "dc"), seg});
            }
        }
        if (rows.size() == 1) {
            return "";
        }
        java.io.StringWriter w = new java.io.StringWriter();
        PrintWriter pw = new PrintWriter(w);
        table(pw, rows);
        pw.flush();
        return w.toString();
    }

    static String tag(JsonObject tags, String k) {
        return tags.has(k) && !tags.get(k).isJsonNull() ? tags.get(k).getAsString() : "";
    }

    static void table(PrintWriter out, List<String[]> rows) {
        int[] w = new int[rows.get(0).length];
        for (String[] r : rows) {
            for (int i = 0; i < r.length; i++) {
                w[i] = Math.max(w[i], r[i].length());
            }
        }
        for (String[] r : rows) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < r.length; i++) {
                sb.append(i == r.length - 1 ? r[i] : String.format("%-" + (w[i] + 2) + "s", r[i]));
            }
            out.println(sb.toString().stripTrailing());
        }
    }

    @Command(addMethodSubcommands = false, name = "join", description = "Tells the agent to join the cluster through the given addresses.")
    static final class Join extends Base {
        @Parameters(arity = "1..*", paramLabel = "ADDRESS")
        List<String> addresses;

        @Option(names = {"-wan", "--wan"}, description = "join the WAN pool through the addresses (servers only)")
        boolean wan;

        @Override
        int run() throws ApiClient.ApiException {
            int ok = 0;
            ApiClient.ApiException last = null;
            for (String a : addresses) {
                try {
                    api().call("PUT", "/v1/agent/join/" + ApiClient.enc(a) + (wan ? "?wan=1" : ""), null);
                    ok++;
                } catch (ApiClient.ApiException e) {
                    last = e;
                    err().println("Error joining address '" + a + "': " + e.getMessage());
                }
            }
            if (ok == 0 && last != null) {
                err().println("Failed to join any nodes.");
                return 1;
            }
            out().println("Successfully joined cluster by contacting " + ok + " nodes.");
            return 0;
        }
    }

    @Command(addMethodSubcommands = false, name = "leave", description = "Makes the agent leave the cluster gracefully and shut down.")
    static final class Leave extends Base {
        @Override
        int run() throws ApiClient.ApiException {
            api().call("PUT", "/v1/agent/leave", null);
            out().println("Graceful leave complete");
            return 0;
        }
    }

    @Command(addMethodSubcommands = false, name = "force-leave", description = "Forces a failed member into the left state.")
    static final class ForceLeave extends Base {
        @Parameters(index = "0", paramLabel = "NODE")
        String node;

        @Option(names = {"-prune", "--prune"}, description = "remove the member from the list at once")
        boolean prune;

        @Option(names = {"-wan", "--wan"}, description = "only the WAN pool (servers only; NODE is <node>.<dc>)")
        boolean wan;

        @Override
        int run() throws ApiClient.ApiException {
            String q = prune && wan ? "?prune&wan=1" : prune ? "?prune" : wan ? "?wan=1" : "";
            api().call("PUT", "/v1/agent/force-leave/" + ApiClient.enc(node) + q, null);
            return 0;
        }
    }

    @Command(addMethodSubcommands = false, name = "info", description = "Prints the agent's configuration and statistics.")
    static final class Info extends Base {
        @Override
        int run() throws ApiClient.ApiException {
            JsonObject self = JsonParser.parseString(api().callText("GET", "/v1/agent/self")).getAsJsonObject();
            JsonObject stats = self.getAsJsonObject("Stats");
            for (Map.Entry<String, JsonElement> section : new TreeMap<>(stats.asMap()).entrySet()) {
                out().println(section.getKey() + ":");
                if (section.getValue().isJsonObject()) {
                    for (Map.Entry<String, JsonElement> kv : new TreeMap<>(section.getValue().getAsJsonObject().asMap())
                            .entrySet()) {
                        out().println("\t" + kv.getKey() + " = " + (kv.getValue().isJsonPrimitive()
                                ? kv.getValue().getAsString() : kv.getValue().toString()));
                    }
                }
            }
            return 0;
        }
    }

    @Command(addMethodSubcommands = false, name = "keygen", description = "Prints a new 32-byte gossip encryption key, base64-encoded.")
    static final class Keygen extends Base {
        @Override
        int run() {
            byte[] key = new byte[32];
            new SecureRandom().nextBytes(key);
            out().println(Base64.getEncoder().encodeToString(key));
            return 0;
        }
    }

    @Command(addMethodSubcommands = false, name = "catalog", description = "Reads the service catalog.")
    static final class Catalog extends GroupCommand {
        @Override
        List<Class<?>> subcommands() {
            return List.of(CatalogServices.class, CatalogNodes.class, CatalogDatacenters.class);
        }
    }

    @Command(addMethodSubcommands = false, name = "services", description = "Lists the services in the catalog.")
    static final class CatalogServices extends Base {
        @Option(names = {"-tags", "--tags"}, description = "show tags")
        boolean tags;

        @Override
        int run() throws ApiClient.ApiException {
            JsonObject s = JsonParser.parseString(api().callText("GET", "/v1/catalog/services")).getAsJsonObject();
            for (Map.Entry<String, JsonElement> e : new TreeMap<>(s.asMap()).entrySet()) {
                if (tags) {
                    List<String> t = new ArrayList<>();
                    e.getValue().getAsJsonArray().forEach(x -> t.add(x.getAsString()));
                    out().println(e.getKey() + "  " + String.join(",", t));
                } else {
                    out().println(e.getKey());
                }
            }
            return 0;
        }
    }

    @Command(addMethodSubcommands = false, name = "datacenters", description = "Lists the known datacenters, nearest first (the local one first).")
    static final class CatalogDatacenters extends Base {
        @Override
        int run() throws ApiClient.ApiException {
            JsonArray a = JsonParser.parseString(api().callText("GET", "/v1/catalog/datacenters")).getAsJsonArray();
            for (JsonElement e : a) {
                out().println(e.getAsString());
            }
            return 0;
        }
    }

    @Command(addMethodSubcommands = false, name = "nodes", description = "Lists the nodes in the catalog.")
    static final class CatalogNodes extends Base {
        @Override
        int run() throws ApiClient.ApiException {
            JsonArray a = JsonParser.parseString(api().callText("GET", "/v1/catalog/nodes")).getAsJsonArray();
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"Node", "ID", "Address", "DC"});
            for (JsonElement e : a) {
                JsonObject n = e.getAsJsonObject();
                String id = n.has("ID") && !n.get("ID").isJsonNull() ? n.get("ID").getAsString() : "";
                rows.add(new String[] {n.get("Node").getAsString(), id.length() > 8 ? id.substring(0, 8) : id,
                    n.get("Address").getAsString(), n.has("Datacenter") ? n.get("Datacenter").getAsString() : ""});
            }
            table(out(), rows);
            return 0;
        }
    }

    @Command(addMethodSubcommands = false, name = "kv", description = "Reads and writes the key/value store.")
    static final class Kv extends GroupCommand {
        @Override
        List<Class<?>> subcommands() {
            return List.of(KvGet.class, KvPut.class, KvDelete.class, KvTransfer.Export.class, KvTransfer.Import.class);
        }
    }

    @Command(addMethodSubcommands = false, name = "get", description = "Prints the value of a key (or of every key under a prefix with -recurse).")
    static final class KvGet extends Base {
        @Parameters(index = "0", paramLabel = "KEY", defaultValue = "")
        String key;

        @Option(names = {"-recurse", "--recurse"}, description = "every key under the prefix, as key:value")
        boolean recurse;

        @Option(names = {"-keys", "--keys"}, description = "list keys only")
        boolean keys;

        @Option(names = {"-detailed", "--detailed"}, description = "print the entry's metadata")
        boolean detailed;

        @Override
        int run() throws ApiClient.ApiException {
            if (key.isEmpty() && !recurse && !keys) {
                err().println("Error! Missing KEY argument");
                return 2;
            }
            String q = keys ? "?keys&separator=/" : recurse ? "?recurse" : "";
            var r = api().send("GET", "/v1/kv/" + ApiClient.enc(key) + q, null);
            if (r.statusCode() == 404) {
                if (recurse || keys) {
                    return 0;
                }
                err().println("Error! No key exists at: " + key);
                return 1;
            }
            if (r.statusCode() != 200) {
                throw new ApiClient.ApiException(r.statusCode(), "Unexpected response code: " + r.statusCode() + " ("
                        + new String(r.body(), StandardCharsets.UTF_8).trim() + ")");
            }
            JsonArray a = JsonParser.parseString(new String(r.body(), StandardCharsets.UTF_8)).getAsJsonArray();
            for (JsonElement e : a) {
                if (keys) {
                    out().println(e.getAsString());
                    continue;
                }
                JsonObject o = e.getAsJsonObject();
                String value = o.get("Value").isJsonNull() ? ""
                        : new String(Base64.getDecoder().decode(o.get("Value").getAsString()), StandardCharsets.UTF_8);
                if (detailed) {
                    for (String f : List.of("CreateIndex", "Flags", "Key", "LockIndex", "ModifyIndex", "Session")) {
                        out().printf("%-12s %s%n", f, o.has(f) ? o.get(f).getAsString() : "-");
                    }
                    out().printf("%-12s %s%n", "Value", value);
                } else if (recurse) {
                    out().println(o.get("Key").getAsString() + ":" + value);
                } else {
                    out().println(value);
                }
            }
            return 0;
        }
    }

    @Command(addMethodSubcommands = false, name = "put", description = "Writes a value (DATA, '-' for standard input, or empty).")
    static final class KvPut extends Base {
        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Parameters(index = "1", paramLabel = "DATA", arity = "0..1")
        String data;

        @Option(names = {"-cas", "--cas"}, description = "check-and-set: write only if -modify-index matches")
        boolean cas;

        @Option(names = {"-modify-index", "--modify-index"}, paramLabel = "N", defaultValue = "0")
        long modifyIndex;

        @Option(names = {"-flags", "--flags"}, paramLabel = "N", description = "unsigned integer flags")
        Long flags;

        @Override
        int run() throws ApiClient.ApiException, IOException {
            byte[] body = data == null ? new byte[0] : data.equals("-") ? System.in.readAllBytes()
                    : data.getBytes(StandardCharsets.UTF_8);
            List<String> q = new ArrayList<>();
            if (cas) {
                q.add("cas=" + modifyIndex);
            }
            if (flags != null) {
                q.add("flags=" + Long.toUnsignedString(flags));
            }
            String r = new String(api().call("PUT", "/v1/kv/" + ApiClient.enc(key) + (q.isEmpty() ? "" : "?"
                    + String.join("&", q)), body), StandardCharsets.UTF_8).trim();
            if (!r.equals("true")) {
                err().println("Error! Did not write to " + key + ": CAS failed");
                return 1;
            }
            out().println("Success! Data written to: " + key);
            return 0;
        }
    }

    @Command(addMethodSubcommands = false, name = "delete", description = "Deletes a key (or every key under a prefix with -recurse).")
    static final class KvDelete extends Base {
        @Parameters(index = "0", paramLabel = "KEY")
        String key;

        @Option(names = {"-recurse", "--recurse"})
        boolean recurse;

        @Option(names = {"-cas", "--cas"})
        boolean cas;

        @Option(names = {"-modify-index", "--modify-index"}, paramLabel = "N", defaultValue = "0")
        long modifyIndex;

        @Override
        int run() throws ApiClient.ApiException {
            if (cas && recurse) {
                err().println("Error! Cannot specify both -cas and -recurse");
                return 2;
            }
            String q = recurse ? "?recurse" : cas ? "?cas=" + modifyIndex : "";
            String r = new String(api().call("DELETE", "/v1/kv/" + ApiClient.enc(key) + q, null), StandardCharsets.UTF_8)
                    .trim();
            if (!r.equals("true")) {
                err().println("Error! Did not delete key " + key + ": CAS failed");
                return 1;
            }
            out().println("Success! Deleted key" + (recurse ? "s under: " : ": ") + key);
            return 0;
        }
    }
}
