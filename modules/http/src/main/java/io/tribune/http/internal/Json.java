package io.tribune.http.internal;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonWriter;
import io.tribune.state.KvEntry;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.Base64;

/**
 * JSON encoding of API responses, compact or indented ({@code ?pretty}), as Consul writes them. A
 * {@link KvEntry} anywhere in a value is written in Consul's KV shape ({@link #writeKv}), straight
 * to the writer rather than through a map of its fields.
 */
public final class Json {
    /** Writes a {@link KvEntry} as Consul does; reading entries is not needed (requests carry no entry). */
    private static final TypeAdapter<KvEntry> KV_ENTRY = new TypeAdapter<>() {
        @Override
        public void write(JsonWriter out, KvEntry e) throws IOException {
            if (e == null) {
                out.nullValue();
            } else {
                writeKv(out, e);
            }
        }

        @Override
        public KvEntry read(JsonReader in) {
            throw new UnsupportedOperationException("KV entries are only written");
        }
    };
    private static final Gson COMPACT = new GsonBuilder().disableHtmlEscaping().serializeNulls()
            .registerTypeAdapter(KvEntry.class, KV_ENTRY).create();
    private static final Gson PRETTY = new GsonBuilder().disableHtmlEscaping().serializeNulls().setPrettyPrinting()
            .registerTypeAdapter(KvEntry.class, KV_ENTRY).create();

    /** Writes JSON on a writer set up as the serializer of a response is (compact or indented). */
    @FunctionalInterface
    public interface Body {
        void write(JsonWriter out) throws IOException;
    }

    private Json() {
    }

    /** Serializes {@code value}; indented when the request asks for {@code pretty}. */
    public static String write(Object value, HttpRequest req) {
        return gson(req).toJson(value);
    }

    /** The serializer a request asks for: indented with {@code ?pretty}, else compact. */
    private static Gson gson(HttpRequest req) {
        return req != null && req.has("pretty") ? PRETTY : COMPACT;
    }

    /**
     * Serializes what {@code body} writes, on a writer with the settings of {@link #write(Object, HttpRequest)}
     * (indented when the request asks for {@code pretty}): for hot answers that are cheaper to
     * stream than to build as objects first.
     */
    public static String write(HttpRequest req, Body body) {
        StringWriter text = new StringWriter(256);
        try (JsonWriter out = gson(req).newJsonWriter(text)) {
            body.write(out);
        } catch (IOException e) {
            throw new UncheckedIOException(e); // a StringWriter does not fail
        }
        return text.toString();
    }

    /**
     * One KV entry in Consul's shape: {@code LockIndex}, {@code Key}, {@code Flags} (unsigned 64-bit),
     * {@code Value} (base64, null when empty), {@code Session} (only while locked),
     * {@code CreateIndex}, {@code ModifyIndex}.
     */
    public static void writeKv(JsonWriter out, KvEntry e) throws IOException {
        out.beginObject();
        out.name("LockIndex").value(e.lockIndex());
        out.name("Key").value(e.key());
        out.name("Flags");
        if (e.flags() >= 0) {
            out.value(e.flags());
        } else {
            out.value(new BigInteger(Long.toUnsignedString(e.flags())));
        }
        out.name("Value");
        if (e.valueLength() == 0) {
            out.nullValue();
        } else {
            out.value(Base64.getEncoder().encodeToString(e.value()));
        }
        if (e.locked()) {
            out.name("Session").value(e.session());
        }
        out.name("CreateIndex").value(e.createIndex());
        out.name("ModifyIndex").value(e.modifyIndex());
        out.endObject();
    }

    /** A 200 response with {@code value} as JSON. */
    public static HttpResponse ok(Object value, HttpRequest req) {
        return HttpResponse.json(200, write(value, req));
    }

    /**
     * Parses a request body.
     *
     * @throws HttpError 400 with the parser's message when the body is not JSON
     */
    public static JsonElement parse(byte[] body) {
        try {
            return JsonParser.parseString(new String(body, java.nio.charset.StandardCharsets.UTF_8));
        } catch (JsonParseException e) {
            throw HttpError.badRequest("request decode failed: " + io.tribune.agent.local.JsonIn.parserMessage(e));
        }
    }
}
