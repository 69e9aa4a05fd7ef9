package io.tribune.http.internal;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;

/** JSON encoding of API responses, compact or indented ({@code ?pretty}), as Consul writes them. */
public final class Json {
    private static final Gson COMPACT = new GsonBuilder().disableHtmlEscaping().serializeNulls().create();
    private static final Gson PRETTY = new GsonBuilder().disableHtmlEscaping().serializeNulls().setPrettyPrinting()
            .create();

    private Json() {
    }

    /** Serializes {@code value}; indented when the request asks for {@code pretty}. */
    public static String write(Object value, HttpRequest req) {
        return (req != null && req.has("pretty") ? PRETTY : COMPACT).toJson(value);
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
