package io.tribune.launcher;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;

/**
 * {@code tribune services register|deregister}: registers services with the local agent from
 * definition files (Consul's config format, JSON or HCL by extension: {@code {"service": {...}}},
 * {@code {"services": [...]}}, {@code service { ... }} blocks) or from flags, through {@code /v1/agent/service/register}, and removes them by ID or by the
 * same files. Every file is read and checked before anything is registered.
 */
final class ServicesCommands {
    /** Largest definition file read. */
    static final long MAX_FILE_BYTES = 4L << 20;

    private ServicesCommands() {
    }

    @Command(addMethodSubcommands = false, name = "services", description = "Registers and deregisters services with the local agent.")
    static final class Services extends GroupCommand {
        @Override
        List<Class<?>> subcommands() {
            return List.of(Register.class, Deregister.class);
        }
    }

    @Command(addMethodSubcommands = false, name = "register", sortOptions = false,
            description = "Registers services from FILE... (JSON or HCL service definitions) or from -name and the other flags.")
    static final class Register extends ClientCommands.Base {
        @Option(names = {"-name", "--name"}, paramLabel = "NAME", description = "the service's name (no FILE then)")
        String name;

        @Option(names = {"-id", "--id"}, paramLabel = "ID", description = "the service's ID (default: its name)")
        String id;

        @Option(names = {"-address", "--address"}, paramLabel = "ADDR", description = "the service's address")
        String address;

        @Option(names = {"-port", "--port"}, paramLabel = "PORT", description = "the service's port")
        Integer port;

        @Option(names = {"-tag", "--tag"}, paramLabel = "TAG", description = "a tag (repeatable)")
        List<String> tags = new ArrayList<>();

        @Option(names = {"-meta", "--meta"}, paramLabel = "KEY=VALUE", description = "a metadata pair (repeatable)")
        Map<String, String> meta;

        @Parameters(arity = "0..*", paramLabel = "FILE")
        List<Path> files = new ArrayList<>();

        @Override
        int run() throws ApiClient.ApiException, IOException {
            List<JsonObject> defs = new ArrayList<>();
            if (name != null) {
                if (!files.isEmpty()) {
                    throw new ParameterException(spec.commandLine(), "Files are not allowed with -name");
                }
                JsonObject o = new JsonObject();
                o.addProperty("Name", name);
                if (id != null) {
                    o.addProperty("ID", id);
                }
                if (address != null) {
                    o.addProperty("Address", address);
                }
                if (port != null) {
                    o.addProperty("Port", port);
                }
                JsonArray t = new JsonArray();
                tags.forEach(t::add);
                o.add("Tags", t);
                if (meta != null) {
                    JsonObject m = new JsonObject();
                    meta.forEach(m::addProperty);
                    o.add("Meta", m);
                }
                defs.add(o);
            } else if (files.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "Service registration requires at least one FILE or -name");
            } else {
                for (Path f : files) {
                    try {
                        defs.addAll(definitions(f));
                    } catch (IllegalArgumentException e) {
                        err().println("Error! " + e.getMessage());
                        return 1;
                    }
                }
            }
            for (JsonObject d : defs) {
                api().call("PUT", "/v1/agent/service/register", d.toString().getBytes(StandardCharsets.UTF_8));
                out().println("Registered service: " + d.get(key(d, "name")).getAsString());
            }
            return 0;
        }
    }

    @Command(addMethodSubcommands = false, name = "deregister", sortOptions = false,
            description = "Deregisters the service with -id, or the services defined in FILE... (by ID, else by name).")
    static final class Deregister extends ClientCommands.Base {
        @Option(names = {"-id", "--id"}, paramLabel = "ID", description = "the service's ID")
        String id;

        @Parameters(arity = "0..*", paramLabel = "FILE")
        List<Path> files = new ArrayList<>();

        @Override
        int run() throws ApiClient.ApiException, IOException {
            List<String> ids = new ArrayList<>();
            if (id != null) {
                if (!files.isEmpty()) {
                    throw new ParameterException(spec.commandLine(), "Files are not allowed with -id");
                }
                ids.add(id);
            } else if (files.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "Service deregistration requires at least one FILE or -id");
            } else {
                for (Path f : files) {
                    try {
                        for (JsonObject d : definitions(f)) {
                            String k = key(d, "id");
                            ids.add(d.has(k) ? d.get(k).getAsString() : d.get(key(d, "name")).getAsString());
                        }
                    } catch (IllegalArgumentException e) {
                        err().println("Error! " + e.getMessage());
                        return 1;
                    }
                }
            }
            for (String i : ids) {
                api().call("PUT", "/v1/agent/service/deregister/" + ApiClient.enc(i), null);
                out().println("Deregistered service: " + i);
            }
            return 0;
        }
    }

    /** The name of {@code field} in {@code o} whatever its case (Consul's decoder ignores case), or {@code field}. */
    static String key(JsonObject o, String field) {
        for (String k : o.keySet()) {
            if (k.equalsIgnoreCase(field)) {
                return k;
            }
        }
        return field;
    }

    /**
     * The service definitions of a file: {@code {"service": {...}}}, {@code {"services": [...]}}, or
     * a bare definition with a name.
     *
     * @throws IllegalArgumentException naming the file: missing, too large, HCL, not JSON, no definition, a definition without a name
     */
    static List<JsonObject> definitions(Path f) throws IOException {
        if (!Files.isRegularFile(f)) {
            throw new IllegalArgumentException("Error reading " + f + ": no such file");
        }
        if (Files.size(f) > MAX_FILE_BYTES) {
            throw new IllegalArgumentException("Error reading " + f + ": larger than " + MAX_FILE_BYTES + " bytes");
        }
        if (f.toString().endsWith(".hcl")) {
            // keys feature: Consul's HCL service files, read by the agent's own config reader.
            JsonObject layer;
            try {
                layer = io.tribune.agent.config.ConfigLoader.readFile(f, "hcl");
            } catch (io.tribune.agent.config.ConfigException e) {
                throw new IllegalArgumentException("Error parsing " + e.getMessage());
            }
            return definitions(layer, f.toString());
        }
        return parse(Files.readString(f, StandardCharsets.UTF_8), f.toString());
    }

    /**
     * keys feature: a definition in Consul's config spelling as the agent API takes it: underscores
     * dropped from field names ({@code enable_tag_override} is {@code EnableTagOverride}; the API
     * ignores case), except inside user-keyed maps ({@code meta}, {@code header},
     * {@code tagged_addresses}), and a block HCL gives as a one-element list ({@code check { }})
     * unwrapped.
     */
    static JsonObject apiShape(JsonObject o) {
        JsonObject out = new JsonObject();
        for (Map.Entry<String, JsonElement> e : o.entrySet()) {
            String k = e.getKey().replace("_", "");
            JsonElement v = e.getValue();
            String lower = k.toLowerCase(java.util.Locale.ROOT);
            if (lower.equals("meta") || lower.equals("header") || lower.equals("taggedaddresses")) {
                if (v.isJsonArray() && v.getAsJsonArray().size() == 1) {
                    v = v.getAsJsonArray().get(0);
                }
                out.add(k, v);
            } else if (v.isJsonObject()) {
                out.add(k, apiShape(v.getAsJsonObject()));
            } else if (v.isJsonArray()) {
                JsonArray a = new JsonArray();
                v.getAsJsonArray().forEach(x -> a.add(x.isJsonObject() ? apiShape(x.getAsJsonObject()) : x));
                if ((lower.equals("check") || lower.equals("weights") || lower.equals("proxy")) && a.size() == 1
                        && a.get(0).isJsonObject()) {
                    out.add(k, a.get(0));
                } else {
                    out.add(k, a);
                }
            } else {
                out.add(k, v);
            }
        }
        return out;
    }

    /** {@link #definitions} on text; {@code where} names the source in errors. */
    static List<JsonObject> parse(String text, String where) {
        JsonElement root;
        try {
            root = JsonParser.parseString(text);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("Error parsing " + where + ": " + e.getMessage());
        }
        if (!root.isJsonObject()) {
            throw new IllegalArgumentException("Error parsing " + where + ": expected a JSON object");
        }
        return definitions(root.getAsJsonObject(), where);
    }

    /**
     * The definitions of a file's top object: {@code service} (an object, or a list of them: HCL's
     * repeated {@code service { }} blocks), {@code services} (a list, or one object: a single HCL
     * {@code services { }} block), or a bare definition with a name; each in the API's shape
     * ({@link #apiShape}).
     */
    static List<JsonObject> definitions(JsonObject o, String where) {
        List<JsonObject> raw = new ArrayList<>();
        for (String k : List.of(key(o, "service"), key(o, "services"))) {
            JsonElement v = o.get(k);
            if (v == null || v.isJsonNull()) {
                continue;
            }
            if (v.isJsonObject()) {
                raw.add(v.getAsJsonObject());
            } else if (v.isJsonArray()) {
                for (JsonElement e : v.getAsJsonArray()) {
                    if (!e.isJsonObject()) {
                        throw new IllegalArgumentException("Error parsing " + where + ": \"" + k + "\" must hold objects");
                    }
                    raw.add(e.getAsJsonObject());
                }
            } else {
                throw new IllegalArgumentException("Error parsing " + where + ": \"" + k + "\" must be an object or a "
                        + "list of objects");
            }
        }
        List<JsonObject> out = new ArrayList<>();
        raw.forEach(d -> out.add(apiShape(d)));
        if (out.isEmpty() && o.has(key(o, "name"))) {
            out.add(apiShape(o));
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("Error parsing " + where + ": no service definition"
                    + " (expected {\"service\": {...}} or {\"services\": [...]})");
        }
        for (JsonObject d : out) {
            String n = key(d, "name");
            if (!d.has(n) || !d.get(n).isJsonPrimitive() || d.get(n).getAsString().isEmpty()) {
                throw new IllegalArgumentException("Error parsing " + where + ": a service definition has no name");
            }
        }
        return out;
    }
}
