package io.tribune.launcher;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.tribune.agent.rpc.SnapshotArchive;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * Operator CLI commands with Consul's names and output: {@code operator raft list-peers|remove-peer},
 * {@code snapshot save|restore|inspect} (Consul's archive, {@link SnapshotArchive}) and {@code keyring}, each talking to the local agent's HTTP API
 * ({@code -http-addr}). Exit codes as in {@link ClientCommands}: 0 success, 1 an error from the
 * agent (or it could not be reached), 2 bad usage.
 */
final class OperatorCommands {
    /** Largest snapshot file {@code snapshot restore} sends (the agent bounds request bodies too). */
    static final long MAX_SNAPSHOT_FILE_BYTES = 1L << 30;

    private OperatorCommands() {
    }

    @Command(addMethodSubcommands = false, name = "operator", description = "Cluster operator tools.")
    static final class Operator extends GroupCommand {
        @Override
        List<Class<?>> subcommands() {
            return List.of(OperatorRaft.class, AutopilotCommands.Autopilot.class);
        }
    }

    @Command(addMethodSubcommands = false, name = "raft", description = "Inspects and changes the Raft configuration.")
    static final class OperatorRaft extends GroupCommand {
        @Override
        List<Class<?>> subcommands() {
            return List.of(ListPeers.class, RemovePeer.class);
        }
    }

    @Command(addMethodSubcommands = false, name = "list-peers", description = "Lists the servers of the Raft configuration.")
    static final class ListPeers extends ClientCommands.Base {
        @Option(names = {"-stale", "--stale"}, description = "let any server answer, not only the leader")
        boolean stale;

        @Override
        int run() throws ApiClient.ApiException {
            JsonObject cfg = JsonParser.parseString(api().callText("GET", "/v1/operator/raft/configuration"
                    + (stale ? "?stale" : ""))).getAsJsonObject();
            List<String[]> rows = new ArrayList<>();
            rows.add(new String[] {"Node", "ID", "Address", "State", "Voter", "RaftProtocol"});
            for (JsonElement e : cfg.getAsJsonArray("Servers")) {
                JsonObject s = e.getAsJsonObject();
                rows.add(new String[] {s.get("Node").getAsString(), s.get("ID").getAsString(),
                    s.get("Address").getAsString(), s.get("Leader").getAsBoolean() ? "leader" : "follower",
                    Boolean.toString(s.get("Voter").getAsBoolean()), s.get("ProtocolVersion").getAsString()});
            }
            ClientCommands.table(out(), rows);
            return 0;
        }
    }

    @Command(addMethodSubcommands = false, name = "remove-peer", description = "Removes a server from the Raft configuration (by -id or -address).")
    static final class RemovePeer extends ClientCommands.Base {
        @Option(names = {"-id", "--id"}, paramLabel = "ID", description = "the server's node ID or node name")
        String id;

        @Option(names = {"-address", "--address"}, paramLabel = "IP:PORT", description = "the server's RPC address")
        String address;

        @Override
        int run() throws ApiClient.ApiException {
            boolean hasId = id != null && !id.isEmpty();
            boolean hasAddress = address != null && !address.isEmpty();
            if (hasId == hasAddress) {
                throw new ParameterException(spec.commandLine(), "exactly one of -id or -address is required");
            }
            api().call("DELETE", "/v1/operator/raft/peer?" + (hasId ? "id=" + ApiClient.enc(id)
                    : "address=" + ApiClient.enc(address)), null);
            out().println("Removed peer with " + (hasId ? "id \"" + id + "\"" : "address \"" + address + "\""));
            return 0;
        }
    }

    @Command(addMethodSubcommands = false, name = "snapshot", description = "Saves and restores the cluster state.")
    static final class Snapshot extends GroupCommand {
        @Override
        List<Class<?>> subcommands() {
            return List.of(SnapshotSave.class, SnapshotRestore.class, SnapshotInspect.class);
        }
    }

    @Command(addMethodSubcommands = false, name = "save", description = "Saves a snapshot of the state to FILE (written atomically).")
    static final class SnapshotSave extends ClientCommands.Base {
        @Option(names = {"-stale", "--stale"}, description = "let any server answer, not only the leader")
        boolean stale;

        @Parameters(index = "0", paramLabel = "FILE")
        Path file;

        @Override
        int run() throws ApiClient.ApiException, IOException {
            ApiResponse r = api().send("GET", "/v1/snapshot" + (stale ? "?stale" : ""), null);
            if (r.statusCode() != 200) {
                throw new ApiClient.ApiException(r.statusCode(), "Unexpected response code: " + r.statusCode() + " ("
                        + new String(r.body(), StandardCharsets.UTF_8).trim() + ")");
            }
            // Like Consul's: the archive is verified (gzip, tar, SHA-256 sums, size) before it is kept.
            try {
                SnapshotArchive.read(r.body(), MAX_SNAPSHOT_FILE_BYTES);
            } catch (SnapshotArchive.InvalidArchiveException e) {
                throw new IOException("the agent sent an invalid snapshot archive: " + e.getMessage(), e);
            }
            Path abs = file.toAbsolutePath();
            Path tmp = abs.resolveSibling(abs.getFileName() + ".tmp");
            try {
                Files.write(tmp, r.body());
                Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
            out().println("Saved and verified snapshot to index " + r.header("X-Consul-Index").orElse("0"));
            return 0;
        }
    }

    @Command(addMethodSubcommands = false, name = "restore", description = "Restores the state from a snapshot FILE saved by 'snapshot save'.")
    static final class SnapshotRestore extends ClientCommands.Base {
        @Parameters(index = "0", paramLabel = "FILE")
        Path file;

        @Override
        int run() throws ApiClient.ApiException, IOException {
            if (!Files.isRegularFile(file)) {
                throw new IOException("no snapshot file at " + file);
            }
            if (Files.size(file) > MAX_SNAPSHOT_FILE_BYTES) {
                throw new IOException(file + " is larger than " + MAX_SNAPSHOT_FILE_BYTES + " bytes");
            }
            api().call("PUT", "/v1/snapshot", Files.readAllBytes(file));
            out().println("Restored snapshot");
            return 0;
        }
    }

    // release (issue 16): snapshot inspect, read locally like Consul's (no agent needed).
    @Command(addMethodSubcommands = false, name = "inspect", description = "Prints the ID, size, index, term and version of a snapshot FILE"
            + " (verified: gzip, tar, SHA-256 sums and size). Reads the file only; no agent is needed.")
    static final class SnapshotInspect implements java.util.concurrent.Callable<Integer> {
        @picocli.CommandLine.Spec
        picocli.CommandLine.Model.CommandSpec spec;

        @Parameters(index = "0", paramLabel = "FILE")
        Path file;

        @Override
        public Integer call() throws IOException {
            if (!Files.isRegularFile(file)) {
                throw new IOException("no snapshot file at " + file);
            }
            if (Files.size(file) > MAX_SNAPSHOT_FILE_BYTES) {
                throw new IOException(file + " is larger than " + MAX_SNAPSHOT_FILE_BYTES + " bytes");
            }
            SnapshotArchive.Meta m;
            try {
                m = SnapshotArchive.read(Files.readAllBytes(file), MAX_SNAPSHOT_FILE_BYTES).meta();
            } catch (SnapshotArchive.InvalidArchiveException e) {
                throw new IOException("Error verifying snapshot " + file + ": " + e.getMessage(), e);
            }
            List<String[]> rows = List.of(new String[] {"ID", m.id()},
                    new String[] {"Size", Long.toString(m.size())}, new String[] {"Index", Long.toString(m.index())},
                    new String[] {"Term", Long.toString(m.term())}, new String[] {"Version", Integer.toString(m.version())});
            ClientCommands.table(spec.commandLine().getOut(), rows);
            return 0;
        }
    }

    @Command(addMethodSubcommands = false, name = "keyring", description = "Lists, installs, makes primary or removes gossip encryption keys"
            + " on every member of the LAN pool (the agent asked fans the operation out and adds up the answers).")
    static final class Keyring extends ClientCommands.Base {
        @Option(names = {"-list", "--list"}, description = "list the installed keys, with how many members hold each")
        boolean list;

        @Option(names = {"-list-primary", "--list-primary"},
                description = "list the primary keys, with how many members encrypt with each")
        boolean listPrimary;

        @Option(names = {"-install", "--install"}, paramLabel = "KEY", description = "install a key")
        String install;

        @Option(names = {"-use", "--use"}, paramLabel = "KEY", description = "make an installed key the primary")
        String use;

        @Option(names = {"-remove", "--remove"}, paramLabel = "KEY", description = "remove a key")
        String remove;

        @Option(names = {"-local-only", "--local-only"},
                description = "act on the agent asked only, not on every member")
        boolean localOnly;

        @Override
        int run() throws ApiClient.ApiException {
            int n = (list ? 1 : 0) + (listPrimary ? 1 : 0) + (install != null ? 1 : 0) + (use != null ? 1 : 0)
                    + (remove != null ? 1 : 0);
            if (n != 1) {
                throw new ParameterException(spec.commandLine(),
                        "exactly one of -list, -list-primary, -install, -use or -remove is required");
            }
            String path = "/v1/operator/keyring" + (localOnly ? "?local-only" : "");
            if (list || listPrimary) {
                out().println("==> Gathering installed encryption keys...");
                // A member that does not answer makes the agent answer an error naming it: exit 1.
                for (JsonElement e : JsonParser.parseString(api().callText("GET", path)).getAsJsonArray()) {
                    JsonObject pool = e.getAsJsonObject();
                    out().println();
                    out().println(pool.get("Datacenter").getAsString() + " (" + (pool.get("WAN").getAsBoolean() ? "WAN" : "LAN")
                            + "):");
                    int nodes = pool.get("NumNodes").getAsInt();
                    for (Map.Entry<String, JsonElement> k : pool.getAsJsonObject(listPrimary ? "PrimaryKeys" : "Keys")
                            .entrySet()) {
                        out().println("  " + k.getKey() + " [" + k.getValue().getAsInt() + "/" + nodes + "]");
                    }
                }
                return 0;
            }
            String method = install != null ? "POST" : use != null ? "PUT" : "DELETE";
            String key = install != null ? install : use != null ? use : remove;
            JsonObject body = new JsonObject();
            body.addProperty("Key", key);
            out().println(switch (method) {
                case "POST" -> "==> Installing new gossip encryption key...";
                case "PUT" -> "==> Changing primary gossip encryption key...";
                default -> "==> Removing gossip encryption key...";
            });
            // Any member failing ("N/M nodes reported failure" and one line per member) is exit 1.
            api().call(method, path, body.toString().getBytes(StandardCharsets.UTF_8));
            return 0;
        }
    }
}
