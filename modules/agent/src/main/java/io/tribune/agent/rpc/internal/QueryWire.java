package io.tribune.agent.rpc.internal;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import io.tribune.agent.rpc.AgentException;
import io.tribune.agent.rpc.Op;
import io.tribune.agent.rpc.Queries;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How the prepared-query operations ({@link Queries}) and their answers travel between agents:
 * one schema case ({@code QueryCall}: the operation's name and its record as JSON) and the answer
 * as JSON text. The records hold only strings, booleans, numbers, enums, lists, string-keyed maps,
 * optionals and other such records, so one walk over their components encodes and decodes them
 * all; decoding goes through the canonical constructors, so an operation from another agent is
 * held to the same checks as one from a front end.
 *
 * <p>Stateless and thread-safe.
 */
final class QueryWire {
    private QueryWire() {
    }

    /** The prepared-query operations that travel (every one but the agent operations), by name. */
    private static final Map<String, Class<?>> TRAVELLING = new LinkedHashMap<>();

    static {
        for (Class<?> family : List.of(Queries.QueryOp.class)) {
            for (Class<?> c : family.getPermittedSubclasses()) {
                if (!Op.LocalOp.class.isAssignableFrom(c)) {
                    TRAVELLING.put(Op.nameOf(c), c);
                }
            }
        }
    }

    /** The RPC methods of the travelling ACL operations. */
    static List<String> methods() {
        return List.copyOf(TRAVELLING.keySet());
    }

    static boolean travels(Class<?> type) {
        return TRAVELLING.containsValue(type);
    }

    /** Whether {@code op}'s answer travels as JSON text (an ACL or prepared-query operation). */
    static boolean carriesJson(Op<?> op) {
        return op instanceof Queries.QueryOp;
    }

    /** A prepared-query operation as {@code QueryCall} fields: its name and JSON. */
    static io.tribune.agent.rpc.wire.QueryCall encodeQuery(Op<?> op) {
        return io.tribune.agent.rpc.wire.QueryCall.newBuilder().setOp(op.opName())
                .setJson(toJson(op, op.getClass()).toString()).build();
    }

    /** @throws AgentException BAD_REQUEST for an unknown operation or malformed fields */
    static Op<?> decodeQuery(io.tribune.agent.rpc.wire.QueryCall call) {
        return decode(call.getOp(), call.getJson(), Queries.QueryOp.class);
    }

    private static Op<?> decode(String name, String json, Class<?> family) {
        Class<?> type = TRAVELLING.get(name);
        if (type == null || !family.isAssignableFrom(type)) {
            throw AgentException.badRequest("unknown prepared query operation " + name);
        }
        try {
            return (Op<?>) fromJson(JsonParser.parseString(json), type);
        } catch (JsonParseException | IllegalStateException | ClassCastException | UnsupportedOperationException
                 | IllegalArgumentException e) {
            throw AgentException.badRequest("malformed " + name + " request: " + e.getMessage());
        }
    }

    /** An answer's value as JSON text. */
    static String encodeValue(Op<?> op, Object value) {
        return toJson(value, resultType(op.getClass())).toString();
    }

    /** @throws AgentException INTERNAL for a malformed answer */
    static Object decodeValue(Op<?> op, String json) {
        try {
            return fromJson(JsonParser.parseString(json), resultType(op.getClass()));
        } catch (RuntimeException e) {
            throw new AgentException(AgentException.Kind.INTERNAL, "malformed " + op.opName() + " answer: "
                    + e.getMessage());
        }
    }

    /** The {@code R} of {@code Op<R>} as the record declares it. */
    static Type resultType(Class<?> opType) {
        for (Type t : opType.getGenericInterfaces()) {
            if (t instanceof ParameterizedType p
                    && p.getRawType() == Queries.QueryOp.class) {
                return p.getActualTypeArguments()[0];
            }
        }
        throw new IllegalStateException(opType + " declares no result type");
    }

    private static JsonElement toJson(Object v, Type type) {
        if (v == null) {
            return JsonNull.INSTANCE;
        }
        Class<?> raw = raw(type);
        if (raw == String.class) {
            return new JsonPrimitive((String) v);
        }
        if (raw == boolean.class || raw == Boolean.class) {
            return new JsonPrimitive((Boolean) v);
        }
        if (raw == long.class || raw == Long.class || raw == int.class || raw == Integer.class) {
            return new JsonPrimitive((Number) v);
        }
        if (raw == List.class) {
            JsonArray a = new JsonArray();
            Type item = arg(type);
            for (Object x : (List<?>) v) {
                a.add(toJson(x, item));
            }
            return a;
        }
        if (raw == Map.class) {
            JsonObject o = new JsonObject();
            Type item = ((ParameterizedType) type).getActualTypeArguments()[1];
            for (Map.Entry<?, ?> x : ((Map<?, ?>) v).entrySet()) {
                o.add((String) x.getKey(), toJson(x.getValue(), item));
            }
            return o;
        }
        if (raw.isEnum()) {
            return new JsonPrimitive(((Enum<?>) v).name());
        }
        if (raw == Optional.class) {
            JsonArray a = new JsonArray();
            ((Optional<?>) v).ifPresent(x -> a.add(toJson(x, arg(type))));
            return a;
        }
        if (raw.isRecord()) {
            JsonObject o = new JsonObject();
            for (RecordComponent c : raw.getRecordComponents()) {
                try {
                    o.add(c.getName(), toJson(c.getAccessor().invoke(v), c.getGenericType()));
                } catch (IllegalAccessException | InvocationTargetException e) {
                    throw new IllegalStateException("cannot read " + raw.getSimpleName() + "." + c.getName(), e);
                }
            }
            return o;
        }
        throw new IllegalStateException("no JSON form for " + type);
    }

    private static Object fromJson(JsonElement e, Type type) {
        Class<?> raw = raw(type);
        if (raw == String.class) {
            return e.isJsonNull() ? null : e.getAsString();
        }
        if (raw == boolean.class || raw == Boolean.class) {
            return e.getAsBoolean();
        }
        if (raw == long.class || raw == Long.class) {
            return e.getAsLong();
        }
        if (raw == int.class || raw == Integer.class) {
            return e.getAsInt();
        }
        if (raw == List.class) {
            List<Object> out = new ArrayList<>();
            Type item = arg(type);
            for (JsonElement x : e.getAsJsonArray()) {
                out.add(fromJson(x, item));
            }
            return out;
        }
        if (raw == Map.class) {
            Map<String, Object> out = new LinkedHashMap<>();
            Type item = ((ParameterizedType) type).getActualTypeArguments()[1];
            for (Map.Entry<String, JsonElement> x : e.getAsJsonObject().entrySet()) {
                out.put(x.getKey(), fromJson(x.getValue(), item));
            }
            return out;
        }
        if (raw.isEnum()) {
            @SuppressWarnings({"unchecked", "rawtypes"})
            Object constant = Enum.valueOf((Class) raw, e.getAsString());
            return constant;
        }
        if (raw == Optional.class) {
            JsonArray a = e.getAsJsonArray();
            return a.isEmpty() ? Optional.empty() : Optional.of(fromJson(a.get(0), arg(type)));
        }
        if (raw.isRecord()) {
            JsonObject o = e.getAsJsonObject();
            RecordComponent[] cs = raw.getRecordComponents();
            Object[] args = new Object[cs.length];
            Class<?>[] types = new Class<?>[cs.length];
            for (int i = 0; i < cs.length; i++) {
                JsonElement x = o.get(cs[i].getName());
                if (x == null) {
                    throw new IllegalStateException("missing field " + cs[i].getName());
                }
                args[i] = fromJson(x, cs[i].getGenericType());
                types[i] = cs[i].getType();
            }
            try {
                return raw.getDeclaredConstructor(types).newInstance(args);
            } catch (InvocationTargetException ex) {
                if (ex.getCause() instanceof AgentException a) {
                    throw a;
                }
                throw new IllegalStateException(String.valueOf(ex.getCause()), ex.getCause());
            } catch (ReflectiveOperationException ex) {
                throw new IllegalStateException("cannot build " + raw.getSimpleName(), ex);
            }
        }
        throw new IllegalStateException("no JSON form for " + type);
    }

    private static Class<?> raw(Type t) {
        if (t instanceof Class<?> c) {
            return c;
        }
        if (t instanceof ParameterizedType p) {
            return (Class<?>) p.getRawType();
        }
        throw new IllegalStateException("unsupported type " + t);
    }

    private static Type arg(Type t) {
        return ((ParameterizedType) t).getActualTypeArguments()[0];
    }
}
