package io.tribune.agent.local;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonPrimitive;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import io.tribune.agent.rpc.AgentException;
import io.tribune.state.BlockingWait;
import java.math.BigDecimal;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * A request body object read the way Consul's decoder reads it: field names match without regard
 * to case ({@code "service"} and {@code "Service"} are the same field), unknown fields are ignored,
 * {@code null} counts as absent, and a known field of the wrong type is a 400 whose message names
 * the field (with its path, e.g. {@code Service.Port}) and the type expected.
 */
public final class JsonIn {
    /** Most elements read from one JSON array (tags, checks, ...); the validator bounds them further. */
    static final int MAX_ARRAY = 1024;
    private final String path;
    private final Map<String, JsonElement> fields = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);

    private JsonIn(String path, JsonObject o) {
        this.path = path;
        for (Map.Entry<String, JsonElement> e : o.entrySet()) {
            // With two spellings of one field the later wins, as with Go's decoder.
            fields.put(e.getKey(), e.getValue());
        }
    }

    /**
     * The request body as an object.
     *
     * @param allowEmpty whether an empty body means an empty object (Consul allows it where every
     *                   field is optional, e.g. {@code /v1/session/create})
     */
    public static JsonIn body(byte[] body, boolean allowEmpty) {
        String text = new String(body, java.nio.charset.StandardCharsets.UTF_8);
        if (body.length == 0 || text.isBlank()) {
            if (allowEmpty) {
                return new JsonIn("", new JsonObject());
            }
            throw AgentException.badRequest("Request decode failed: the request body is empty; expected a JSON object");
        }
        JsonElement e = parse(text);
        if (!e.isJsonObject()) {
            throw AgentException.badRequest("Request decode failed: expected a JSON object, got " + kind(e));
        }
        return new JsonIn("", e.getAsJsonObject());
    }

    /**
     * Parses JSON text.
     *
     * @throws AgentException {@code BAD_REQUEST} with the parser's message when it is not JSON
     */
    public static JsonElement parse(String text) {
        try {
            return JsonParser.parseString(text);
        } catch (JsonParseException e) {
            throw AgentException.badRequest("request decode failed: " + parserMessage(e));
        }
    }

    /**
     * What the JSON parser found wrong, in words for a client: where ("at line 1 column 5 path $.a")
     * and what, without the parser library's advice to its own users (which names its classes and
     * settings, e.g. {@code Use JsonReader.setStrictness(...)}, and links its troubleshooting page).
     */
    public static String parserMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        String m = String.valueOf(t.getMessage());
        int nl = m.indexOf('\n');
        if (nl >= 0) {
            m = m.substring(0, nl);
        }
        m = m.replaceFirst("^[A-Za-z0-9_.$]+(Exception|Error): ", "");
        if (m.contains("JsonReader") || m.contains("Strictness") || m.contains("gson") || m.contains("Gson")) {
            int at = m.indexOf(" at line ");
            m = "malformed JSON" + (at >= 0 ? m.substring(at) : "");
        }
        if (m.isBlank()) {
            return "malformed JSON";
        }
        // The path in the message echoes the client's property names, which may be long.
        return m.length() <= MAX_MESSAGE_CHARS ? m : m.substring(0, MAX_MESSAGE_CHARS) + "...";
    }

    /** Longest parser message passed on to a client. */
    static final int MAX_MESSAGE_CHARS = 256;

    /** Wraps an element that must be an object; {@code what} names it in errors. */
    public static JsonIn of(JsonElement e, String what) {
        if (e == null || !e.isJsonObject()) {
            throw AgentException.badRequest("Request decode failed: " + what + " must be a JSON object, got " + kind(e));
        }
        return new JsonIn(what, e.getAsJsonObject());
    }

    /** Whether the field is present and not null. */
    public boolean has(String name) {
        JsonElement e = fields.get(name);
        return e != null && !e.isJsonNull();
    }

    private JsonElement get(String name) {
        JsonElement e = fields.get(name);
        return e == null || e.isJsonNull() ? null : e;
    }

    private String field(String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    private AgentException wrong(String name, String expected, JsonElement got) {
        return AgentException.badRequest("Request decode failed: field " + field(name) + " must be " + expected + ", got "
                + kind(got));
    }

    public static String kind(JsonElement e) {
        if (e == null || e.isJsonNull()) {
            return "null";
        }
        if (e.isJsonObject()) {
            return "an object";
        }
        if (e.isJsonArray()) {
            return "an array";
        }
        JsonPrimitive p = e.getAsJsonPrimitive();
        String s = p.toString();
        if (s.length() > 40) {
            s = s.substring(0, 40) + "...";
        }
        return (p.isString() ? "the string " : p.isNumber() ? "the number " : "the boolean ") + s;
    }

    public Optional<String> string(String name) {
        JsonElement e = get(name);
        if (e == null) {
            return Optional.empty();
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw wrong(name, "a string", e);
        }
        return Optional.of(e.getAsString());
    }

    public String string(String name, String dflt) {
        return string(name).orElse(dflt);
    }

    public Optional<Long> integer(String name, long min, long max) {
        JsonElement e = get(name);
        if (e == null) {
            return Optional.empty();
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw wrong(name, "an integer", e);
        }
        BigDecimal d = e.getAsBigDecimal();
        long v;
        try {
            v = d.longValueExact();
        } catch (ArithmeticException ex) {
            throw wrong(name, "an integer between " + min + " and " + max, e);
        }
        if (v < min || v > max) {
            throw wrong(name, "an integer between " + min + " and " + max, e);
        }
        return Optional.of(v);
    }

    /** An unsigned 64-bit integer (KV flags). */
    public Optional<Long> unsigned(String name) {
        JsonElement e = get(name);
        if (e == null) {
            return Optional.empty();
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
            throw wrong(name, "an unsigned integer", e);
        }
        try {
            return Optional.of(Long.parseUnsignedLong(e.getAsBigDecimal().toBigIntegerExact().toString()));
        } catch (ArithmeticException | NumberFormatException ex) {
            throw wrong(name, "an unsigned 64-bit integer", e);
        }
    }

    public Optional<Boolean> bool(String name) {
        JsonElement e = get(name);
        if (e == null) {
            return Optional.empty();
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
            throw wrong(name, "true or false", e);
        }
        return Optional.of(e.getAsBoolean());
    }

    /** A list of strings; absent means empty. */
    public Optional<List<String>> strings(String name) {
        JsonElement e = get(name);
        if (e == null) {
            return Optional.empty();
        }
        if (!e.isJsonArray()) {
            throw wrong(name, "an array of strings", e);
        }
        JsonArray a = e.getAsJsonArray();
        if (a.size() > MAX_ARRAY) {
            throw AgentException.badRequest("Request decode failed: field " + field(name) + " has more than " + MAX_ARRAY
                    + " elements");
        }
        List<String> out = new ArrayList<>(a.size());
        for (JsonElement x : a) {
            if (x == null || !x.isJsonPrimitive() || !x.getAsJsonPrimitive().isString()) {
                throw wrong(name, "an array of strings", e);
            }
            out.add(x.getAsString());
        }
        return Optional.of(out);
    }

    /** A string-to-string object (Meta, TaggedAddresses); absent means empty. */
    public Map<String, String> stringMap(String name) {
        JsonElement e = get(name);
        if (e == null) {
            return Map.of();
        }
        if (!e.isJsonObject()) {
            throw wrong(name, "an object of strings", e);
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (Map.Entry<String, JsonElement> x : e.getAsJsonObject().entrySet()) {
            JsonElement v = x.getValue();
            if (v == null || !v.isJsonPrimitive() || !v.getAsJsonPrimitive().isString()) {
                throw AgentException.badRequest("Request decode failed: field " + field(name) + "." + x.getKey()
                        + " must be a string, got " + kind(v));
            }
            out.put(x.getKey(), v.getAsString());
            if (out.size() > MAX_ARRAY) {
                throw AgentException.badRequest("Request decode failed: field " + field(name) + " has too many entries");
            }
        }
        return out;
    }

    public Optional<JsonIn> object(String name) {
        JsonElement e = get(name);
        if (e == null) {
            return Optional.empty();
        }
        if (!e.isJsonObject()) {
            throw wrong(name, "an object", e);
        }
        return Optional.of(new JsonIn(field(name), e.getAsJsonObject()));
    }

    /** A list of objects; absent means empty. */
    public List<JsonIn> objects(String name) {
        JsonElement e = get(name);
        if (e == null) {
            return List.of();
        }
        if (!e.isJsonArray()) {
            throw wrong(name, "an array of objects", e);
        }
        JsonArray a = e.getAsJsonArray();
        if (a.size() > MAX_ARRAY) {
            throw AgentException.badRequest("Request decode failed: field " + field(name) + " has more than " + MAX_ARRAY
                    + " elements");
        }
        List<JsonIn> out = new ArrayList<>();
        for (int i = 0; i < a.size(); i++) {
            JsonElement x = a.get(i);
            if (x == null || !x.isJsonObject()) {
                throw wrong(name + "[" + i + "]", "an object", x);
            }
            out.add(new JsonIn(field(name) + "[" + i + "]", x.getAsJsonObject()));
        }
        return out;
    }

    /**
     * A duration: a Go duration string ("10s", "1m30s") or a number of nanoseconds, as Consul's
     * decoder accepts both.
     */
    public Optional<Duration> duration(String name) {
        JsonElement e = get(name);
        if (e == null) {
            return Optional.empty();
        }
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
            return Optional.of(Duration.ofNanos(integer(name, 0, Long.MAX_VALUE).orElseThrow()));
        }
        if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
            throw wrong(name, "a duration such as \"10s\"", e);
        }
        String s = e.getAsString();
        if (s.isEmpty()) {
            return Optional.of(Duration.ZERO);
        }
        try {
            Duration d = BlockingWait.parseDuration(s);
            if (d.isNegative()) {
                throw AgentException.badRequest("Request decode failed: field " + field(name) + " must not be negative");
            }
            return Optional.of(d);
        } catch (IllegalArgumentException ex) {
            throw AgentException.badRequest("Request decode failed: field " + field(name) + ": " + ex.getMessage());
        }
    }

    /** The raw element, for fields with several accepted shapes. */
    public Optional<JsonElement> raw(String name) {
        return Optional.ofNullable(get(name));
    }

    /** The dotted path of this object in the request, for messages. */
    public String path() {
        return path;
    }
}
