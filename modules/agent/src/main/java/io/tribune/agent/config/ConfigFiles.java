package io.tribune.agent.config;

import com.bertramlabs.plugins.hcl4j.HCLParser;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import io.tribune.acl.HclSyntax;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads one config file or fragment, JSON or HCL, into the JSON object layer that
 * {@link ConfigLoader} merges. HCL goes through the hcl4j parser (the one the ACL rules use), whose
 * tree of maps, lists, doubles and strings is turned into the same shape a JSON file gives:
 * whole numbers become integers (hcl4j reads {@code 8500} as {@code 8500.0}) and repeated blocks
 * ({@code service { } service { }}) arrive as a list, which the loader takes as Consul does.
 *
 * <p>Errors are {@link ConfigException}s naming the source, the line (and column) where the parser
 * gives one, never a Java exception class. Stateless and thread-safe.
 */
final class ConfigFiles {
    /** Largest config file or fragment read, in bytes: config is small, and this bounds memory. */
    static final long MAX_BYTES = 1 << 20;
    /** Deepest nesting accepted: Consul's deepest key (service.check.header.X) nests far less. */
    private static final int MAX_DEPTH = 16;
    private static final Pattern GSON_POSITION = Pattern.compile("at line (\\d+) column (\\d+)(?: path (\\S+))?");
    private static final Pattern HCL_POSITION = Pattern.compile("line:? ?(\\d+),? col(?:umn)?:? ?(\\d+)");
    /** Java exception class names that Gson and hcl4j put at the front of their messages. */
    private static final Pattern CLASS_PREFIX = Pattern.compile("^([a-z_$][\\w$]*\\.)+[A-Z][\\w$]*(Exception|Error): ?");

    private ConfigFiles() {
    }

    /** The format a file name implies: "json", "hcl", or null for any other extension. */
    static String formatOf(Path file) {
        String n = file.getFileName().toString().toLowerCase(Locale.ROOT);
        return n.endsWith(".json") ? "json" : n.endsWith(".hcl") ? "hcl" : null;
    }

    /**
     * Reads {@code file} in {@code format} ("json" or "hcl").
     *
     * @throws ConfigException when the file is missing, unreadable, larger than 1 MiB, not UTF-8, or
     *                         not valid in its format
     */
    static Parsed read(Path file, String format) {
        String text;
        try {
            if (!Files.exists(file)) {
                throw new ConfigException("config file " + file + " does not exist");
            }
            if (Files.size(file) > MAX_BYTES) {
                throw new ConfigException("config file " + file + " is larger than 1 MiB");
            }
            // Strict decoding: a binary file dropped into the directory is an error, not mojibake.
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(Files.readAllBytes(file)))
                    .toString();
        } catch (NoSuchFileException e) {
            throw new ConfigException("config file " + file + " does not exist", e);
        } catch (CharacterCodingException e) {
            throw new ConfigException("config file " + file + " is not UTF-8 text", e);
        } catch (IOException e) {
            throw new ConfigException("cannot read config file " + file + ": " + reason(e), e);
        }
        return new Parsed(parse(text, format, "config file " + file), text);
    }

    /** A file's layer and its text (kept to find the line of a key in error messages). */
    record Parsed(JsonObject layer, String text) {
    }

    /**
     * Parses {@code text} in {@code format}; {@code source} ("config file /etc/a.hcl", "-hcl flag")
     * starts every error message.
     */
    static JsonObject parse(String text, String format, String source) {
        if (text.length() > MAX_BYTES) {
            throw new ConfigException(source + " is larger than 1 MiB");
        }
        return switch (format) {
            case "json" -> json(text, source);
            case "hcl" -> hcl(text, source);
            default -> throw new ConfigException("config format '" + format + "' must be json or hcl");
        };
    }

    private static JsonObject json(String text, String source) {
        JsonElement e;
        try {
            e = JsonParser.parseString(text);
        } catch (JsonParseException | StackOverflowError ex) {
            throw new ConfigException(source + ": not valid JSON: " + gsonMessage(ex), ex);
        }
        if (e.isJsonNull() && text.isBlank()) {
            // An empty file is an empty layer, as in Consul.
            return new JsonObject();
        }
        if (!e.isJsonObject()) {
            throw new ConfigException(source + " must hold a JSON object at the top");
        }
        depth(e, 0, source);
        return e.getAsJsonObject();
    }

    /** "line 3, column 7: Unterminated object (near key 'node_name')" from Gson's message. */
    private static String gsonMessage(Throwable ex) {
        Throwable t = ex.getCause() != null ? ex.getCause() : ex;
        String m = t.getMessage() == null ? "unexpected input" : t.getMessage();
        m = CLASS_PREFIX.matcher(m).replaceFirst("");
        Matcher at = GSON_POSITION.matcher(m);
        if (at.find()) {
            String what = m.substring(0, at.start()).strip();
            String path = at.group(3);
            String near = path == null || path.equals("$") ? "" : " (near key '" + path.replaceFirst("^\\$\\.?", "") + "')";
            return "line " + at.group(1) + ", column " + at.group(2) + ": " + what + near;
        }
        if (t instanceof java.io.EOFException || m.contains("End of input")) {
            return "the text ends too early";
        }
        return m;
    }

    private static JsonObject hcl(String text, String source) {
        try {
            HclSyntax.check(text);
        } catch (HclSyntax.SyntaxException ex) {
            throw new ConfigException(source + ": not valid HCL: " + ex.getMessage());
        }
        Map<String, Object> tree;
        try {
            tree = new HCLParser().parse(text);
        } catch (Exception | StackOverflowError ex) {
            // hcl4j reports syntax errors with its own checked exception, and may recurse deeply.
            String m = ex.getMessage() == null ? "unexpected input" : CLASS_PREFIX.matcher(ex.getMessage()).replaceFirst("");
            Matcher at = HCL_POSITION.matcher(m);
            String where = "";
            if (at.find()) {
                where = "line " + at.group(1) + ", column " + at.group(2) + ": ";
                m = m.substring(0, at.start()).replaceAll("\\s*-\\s*state:\\s*\\d+>?", ">")
                        .replaceAll("\\s*found on\\s*$", "").strip();
            }
            throw new ConfigException(source + ": not valid HCL: " + where + m, ex);
        }
        if (tree == null) {
            return new JsonObject();
        }
        JsonElement e = toJson(tree, 0, source, "");
        return e.getAsJsonObject();
    }

    /**
     * hcl4j's tree as Gson's, numbers that are whole as integers. HCL has no null: hcl4j's null is a
     * key written without a value ({@code name =}), refused naming the key ({@code path}).
     */
    private static JsonElement toJson(Object o, int depth, String source, String path) {
        if (depth > MAX_DEPTH) {
            throw new ConfigException(source + " nests deeper than " + MAX_DEPTH + " levels");
        }
        if (o == null) {
            throw new ConfigException(source + ": not valid HCL: key '" + path + "' has no value");
        }
        if (o instanceof Map<?, ?> m) {
            JsonObject out = new JsonObject();
            m.forEach((k, v) -> out.add(String.valueOf(k), toJson(v, depth + 1, source,
                    path.isEmpty() ? String.valueOf(k) : path + "." + k)));
            return out;
        }
        if (o instanceof List<?> l) {
            JsonArray out = new JsonArray();
            l.forEach(v -> out.add(toJson(v, depth + 1, source, path)));
            return out;
        }
        if (o instanceof Boolean b) {
            return new JsonPrimitive(b);
        }
        if (o instanceof Number n) {
            double d = n.doubleValue();
            if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 9.007199254740992E15) {
                return new JsonPrimitive((long) d);
            }
            return new JsonPrimitive(n);
        }
        return new JsonPrimitive(String.valueOf(o));
    }

    private static void depth(JsonElement e, int depth, String source) {
        if (depth > MAX_DEPTH) {
            throw new ConfigException(source + " nests deeper than " + MAX_DEPTH + " levels");
        }
        if (e.isJsonObject()) {
            e.getAsJsonObject().entrySet().forEach(x -> depth(x.getValue(), depth + 1, source));
        } else if (e.isJsonArray()) {
            e.getAsJsonArray().forEach(x -> depth(x, depth + 1, source));
        }
    }

    /**
     * The 1-based line where top-level {@code key} is first set in {@code text} (as {@code key =},
     * {@code key {} or {@code "key":}), or 0 when it cannot be found: the parsers keep no positions,
     * so this is a search, good enough to point a reader at the line.
     */
    static int lineOf(String text, String key) {
        if (text == null) {
            return 0;
        }
        Pattern p = Pattern.compile("^\\s*[{,]?\\s*\"?" + Pattern.quote(key) + "\"?\\s*[:={]");
        String[] lines = text.split("\n", -1);
        for (int i = 0; i < lines.length; i++) {
            if (p.matcher(lines[i]).find()) {
                return i + 1;
            }
        }
        return 0;
    }

    /**
     * The line of the innermost of {@code path}'s parts that can be found, each searched from the
     * line of the part before it ({@code addresses} then {@code http}), or 0 when not even the
     * first is found. A search like {@link #lineOf}, good enough to point a reader at the line.
     */
    static int lineOfPath(String text, String... path) {
        if (text == null || path.length == 0) {
            return 0;
        }
        String[] lines = text.split("\n", -1);
        int found = 0;
        for (String part : path) {
            // A key starting a line (HCL, pretty JSON), else a quoted JSON key anywhere (one-line JSON).
            Pattern first = Pattern.compile("^\\s*[{,]?\\s*\"?" + Pattern.quote(part) + "\"?\\s*[:={]");
            Pattern quoted = Pattern.compile("\"" + Pattern.quote(part) + "\"\\s*:");
            int at = 0;
            for (Pattern p : List.of(first, quoted)) {
                for (int i = Math.max(0, found - 1); i < lines.length && at == 0; i++) {
                    if (p.matcher(lines[i]).find()) {
                        at = i + 1;
                    }
                }
                if (at > 0) {
                    break;
                }
            }
            if (at == 0) {
                break;
            }
            found = at;
        }
        return found;
    }

    private static String reason(IOException e) {
        return e.getMessage() == null ? "I/O error" : CLASS_PREFIX.matcher(e.getMessage()).replaceFirst("");
    }
}
