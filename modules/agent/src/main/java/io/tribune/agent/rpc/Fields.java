package io.tribune.agent.rpc;

import io.tribune.state.CommandValidator;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * The input checks operations run when constructed, so that every front end and every request
 * decoded from another agent is held to the same bounds. Writes are checked again, completely, by
 * {@link CommandValidator} on the leader before anything is proposed.
 */
final class Fields {
    /** Most {@code node-meta} pairs or {@code tag} filters of one read. */
    static final int MAX_FILTERS = 64;

    private Fields() {
    }

    /** A KV key: present and at most {@link CommandValidator#MAX_KEY_BYTES}. */
    static String key(String key) {
        Objects.requireNonNull(key, "key");
        if (key.isEmpty()) {
            throw AgentException.badRequest("Missing key name");
        }
        return prefix(key);
    }

    /** A KV prefix ("" allowed) of at most {@link CommandValidator#MAX_KEY_BYTES}. */
    static String prefix(String prefix) {
        Objects.requireNonNull(prefix, "prefix");
        bounded("key", prefix, CommandValidator.MAX_KEY_BYTES);
        return prefix;
    }

    /** A required name (node, service, check, ...) of at most {@link CommandValidator#MAX_NAME_BYTES}. */
    static String name(String what, String s) {
        Objects.requireNonNull(s, what);
        if (s.isEmpty()) {
            throw AgentException.badRequest("Missing " + what);
        }
        return optionalName(what, s);
    }

    /** An optional name ("" allowed) of at most {@link CommandValidator#MAX_NAME_BYTES}. */
    static String optionalName(String what, String s) {
        Objects.requireNonNull(s, what);
        bounded(what, s, CommandValidator.MAX_NAME_BYTES);
        return s;
    }

    /** A session id in UUID form. */
    static String sessionId(String id) {
        Objects.requireNonNull(id, "session id");
        if (id.isEmpty()) {
            throw AgentException.badRequest("Missing session");
        }
        if (!CommandValidator.isSessionId(id)) {
            throw AgentException.badRequest("invalid session id '" + abbreviate(id) + "': expected a UUID");
        }
        return id;
    }

    /** A node-meta filter: at most {@link #MAX_FILTERS} pairs, each within the metadata bounds; copied. */
    static Map<String, String> meta(Map<String, String> m) {
        Objects.requireNonNull(m, "node meta");
        if (m.size() > MAX_FILTERS) {
            throw AgentException.badRequest("too many node-meta filters (more than " + MAX_FILTERS + ")");
        }
        m.forEach((k, v) -> {
            bounded("node-meta key", k, CommandValidator.MAX_META_KEY_BYTES);
            bounded("node-meta value", v, CommandValidator.MAX_META_VALUE_BYTES);
        });
        return Map.copyOf(m);
    }

    /** Tag filters: at most {@link #MAX_FILTERS}, each a bounded name; copied. */
    static List<String> tags(List<String> tags) {
        Objects.requireNonNull(tags, "tags");
        if (tags.size() > MAX_FILTERS) {
            throw AgentException.badRequest("too many tag filters (more than " + MAX_FILTERS + ")");
        }
        tags.forEach(t -> bounded("tag", t, CommandValidator.MAX_NAME_BYTES));
        return List.copyOf(tags);
    }

    /** A value of at most {@link CommandValidator#MAX_VALUE_BYTES}, with Consul's message otherwise. */
    static byte[] value(byte[] value) {
        Objects.requireNonNull(value, "value");
        if (value.length > CommandValidator.MAX_VALUE_BYTES) {
            throw new AgentException(AgentException.Kind.TOO_LARGE, "Request body(" + value.length
                    + " bytes) too large, max size: " + CommandValidator.MAX_VALUE_BYTES
                    + " bytes. See kv_max_value_size.");
        }
        return value;
    }

    static void bounded(String what, String s, int maxBytes) {
        Objects.requireNonNull(s, what);
        // Cheap first: a string of at most maxBytes/3 chars cannot exceed maxBytes in UTF-8.
        if (s.length() * 3 > maxBytes && s.getBytes(StandardCharsets.UTF_8).length > maxBytes) {
            throw AgentException.badRequest(what + " is longer than " + maxBytes + " bytes");
        }
    }

    static String abbreviate(String s) {
        return s.length() <= 64 ? s : s.substring(0, 64) + "...";
    }
}
