package io.tribune.launcher;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code kv export [prefix]} and {@code kv import [@file|-|json]} with Consul's exchange format: a
 * JSON array of {@code {"key": ..., "flags": N, "value": "<base64>"}}, indented with tabs as
 * Consul's CLI writes it, so that exports move between Consul and Tribune in either direction.
 */
final class KvTransfer {
    /** Largest import read (file, standard input or argument): bounds memory; far above real exports. */
    static final long MAX_IMPORT_BYTES = 64L << 20;

    private KvTransfer() {
    }

    /** One exported entry; {@code value} is base64 as on the wire. */
    record Entry(String key, long flags, String value) {
    }

    @Command(addMethodSubcommands = false, name = "export", description = "Prints every key under PREFIX (all keys without one) as Consul's"
            + " JSON export: [{\"key\", \"flags\", \"value\" (base64)}].")
    static final class Export extends ClientCommands.Base {
        @Parameters(index = "0", paramLabel = "PREFIX", defaultValue = "", arity = "0..1")
        String prefix;

        @Override
        int run() throws ApiClient.ApiException {
            ApiResponse r = api().send("GET", "/v1/kv/" + ApiClient.enc(prefix) + "?recurse", null);
            List<Entry> entries = new ArrayList<>();
            if (r.statusCode() != 404) {
                if (r.statusCode() != 200) {
                    throw new ApiClient.ApiException(r.statusCode(), "Error querying Consul agent: Unexpected response code: "
                            + r.statusCode() + " (" + new String(r.body(), StandardCharsets.UTF_8).trim() + ")");
                }
                for (JsonElement e : JsonParser.parseString(new String(r.body(), StandardCharsets.UTF_8)).getAsJsonArray()) {
                    JsonObject o = e.getAsJsonObject();
                    entries.add(new Entry(o.get("Key").getAsString(), o.has("Flags") ? Long.parseUnsignedLong(o.get("Flags").getAsString()) : 0,
                            o.has("Value") && !o.get("Value").isJsonNull() ? o.get("Value").getAsString() : ""));
                }
            }
            out().println(toJson(entries));
            return 0;
        }
    }

    @Command(addMethodSubcommands = false, name = "import", description = "Writes the entries of a 'kv export' document: DATA is the JSON itself,"
            + " @FILE to read a file, or - (or nothing) to read standard input.")
    static final class Import extends ClientCommands.Base {
        @Parameters(index = "0", paramLabel = "DATA", arity = "0..1")
        String data;

        @Override
        int run() throws ApiClient.ApiException, IOException {
            List<Entry> entries;
            try {
                entries = parse(read(data));
            } catch (IllegalArgumentException e) {
                err().println("Error! " + e.getMessage());
                return 1;
            }
            // Decode everything before writing anything: a bad entry changes nothing.
            List<byte[]> values = new ArrayList<>();
            for (Entry e : entries) {
                values.add(Base64.getDecoder().decode(e.value()));
            }
            ApiClient api = api();
            for (int i = 0; i < entries.size(); i++) {
                Entry e = entries.get(i);
                String ok = new String(api.call("PUT", "/v1/kv/" + ApiClient.enc(e.key()) + "?flags="
                        + Long.toUnsignedString(e.flags()), values.get(i)), StandardCharsets.UTF_8).trim();
                if (!ok.equals("true")) {
                    err().println("Error! Failed to write " + e.key());
                    return 1;
                }
                out().println("Imported: " + e.key());
            }
            return 0;
        }
    }

    /** The import document from {@code arg}: {@code @file}, {@code -} or null (standard input), or the JSON itself. */
    static String read(String arg) throws IOException {
        if (arg == null || arg.equals("-")) {
            return readBounded(System.in, "standard input");
        }
        if (arg.startsWith("@")) {
            Path p = Path.of(arg.substring(1));
            if (!Files.isRegularFile(p)) {
                throw new IllegalArgumentException("Failed to read file " + p + ": no such file");
            }
            try (InputStream in = Files.newInputStream(p)) {
                return readBounded(in, p.toString());
            }
        }
        return arg;
    }

    private static String readBounded(InputStream in, String what) throws IOException {
        byte[] b = in.readNBytes((int) MAX_IMPORT_BYTES + 1);
        if (b.length > MAX_IMPORT_BYTES) {
            throw new IllegalArgumentException(what + " is larger than " + MAX_IMPORT_BYTES + " bytes");
        }
        return new String(b, StandardCharsets.UTF_8);
    }

    /**
     * Parses an export document.
     *
     * @throws IllegalArgumentException naming the first bad entry (not an array, no key, flags not
     *                                  an unsigned integer, value not base64)
     */
    static List<Entry> parse(String json) {
        JsonElement root;
        try {
            root = JsonParser.parseString(json);
        } catch (JsonParseException e) {
            throw new IllegalArgumentException("Cannot unmarshal data: " + e.getMessage());
        }
        if (!root.isJsonArray()) {
            throw new IllegalArgumentException("Cannot unmarshal data: expected a JSON array of {key, flags, value}");
        }
        List<Entry> out = new ArrayList<>();
        int i = 0;
        for (JsonElement e : root.getAsJsonArray()) {
            String where = "entry " + i++;
            if (!e.isJsonObject() || !e.getAsJsonObject().has("key") || !e.getAsJsonObject().get("key").isJsonPrimitive()) {
                throw new IllegalArgumentException("Cannot unmarshal data: " + where + " has no \"key\"");
            }
            JsonObject o = e.getAsJsonObject();
            String key = o.get("key").getAsString();
            long flags = 0;
            if (o.has("flags") && !o.get("flags").isJsonNull()) {
                try {
                    flags = Long.parseUnsignedLong(o.get("flags").getAsString());
                } catch (NumberFormatException | UnsupportedOperationException | IllegalStateException x) {
                    throw new IllegalArgumentException("Cannot unmarshal data: " + where + " (" + key
                            + "): flags must be an unsigned 64-bit integer");
                }
            }
            String value = o.has("value") && !o.get("value").isJsonNull() ? o.get("value").getAsString() : "";
            try {
                Base64.getDecoder().decode(value);
            } catch (IllegalArgumentException x) {
                throw new IllegalArgumentException("Failed to base 64 decode value for key " + key + ": " + x.getMessage());
            }
            out.add(new Entry(key, flags, value));
        }
        return out;
    }

    /** Consul's export text: a JSON array indented with one tab per level, fields key, flags, value. */
    static String toJson(List<Entry> entries) {
        if (entries.isEmpty()) {
            return "[]";
        }
        StringBuilder sb = new StringBuilder("[\n");
        for (int i = 0; i < entries.size(); i++) {
            Entry e = entries.get(i);
            sb.append("\t{\n\t\t\"key\": ").append(new JsonPrimitive(e.key()))
                    .append(",\n\t\t\"flags\": ").append(Long.toUnsignedString(e.flags()))
                    .append(",\n\t\t\"value\": ").append(new JsonPrimitive(e.value()))
                    .append("\n\t}").append(i + 1 < entries.size() ? ",\n" : "\n");
        }
        return sb.append(']').toString();
    }
}
