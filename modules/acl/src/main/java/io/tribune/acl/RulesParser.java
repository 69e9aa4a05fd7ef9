package io.tribune.acl;

import com.bertramlabs.plugins.hcl4j.HCLParser;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads Consul's rule language. HCL goes through the hcl4j parser and JSON through Gson; both give
 * a tree of maps, lists and strings, which one walk turns into {@link Rules}, so the two syntaxes
 * accept exactly the same rules.
 *
 * <p>The tree's accepted shapes: at the top, {@code keyring}, {@code operator} and {@code acl}
 * take a string; {@code key}, {@code key_prefix}, ... take a map from name to a block (or a list
 * of such maps, as repeated HCL blocks or JSON arrays give); a block has {@code policy} and, for
 * services, an optional {@code intentions} level (checked, not enforced: intentions are not part
 * of Tribune yet).
 */
final class RulesParser {
    private RulesParser() {
    }

    static Rules parse(String text, boolean legacy) {
        if (text == null || text.isBlank()) {
            return Rules.EMPTY;
        }
        if (text.getBytes(StandardCharsets.UTF_8).length > Rules.MAX_TEXT_BYTES) {
            throw new RulesException("rules are longer than " + Rules.MAX_TEXT_BYTES + " bytes");
        }
        String t = text.strip();
        Map<String, Object> tree = t.startsWith("{") || t.startsWith("[") ? json(text) : hcl(text);
        if (tree.isEmpty() && hasContent(t)) {
            // The HCL lexer skips what it does not understand; text that is not only comments but
            // gave no rule at all is a mistake, not an empty policy.
            throw new RulesException("failed to parse ACL rules: no rule found in the text");
        }
        return walk(tree, legacy);
    }

    /** Whether {@code text} holds anything but comments and blanks. */
    private static boolean hasContent(String text) {
        for (String line : text.split("\\R")) {
            String l = line.strip();
            if (!l.isEmpty() && !l.startsWith("#") && !l.startsWith("//")) {
                return true;
            }
        }
        return false;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> hcl(String text) {
        try {
            HclSyntax.check(text);
        } catch (HclSyntax.SyntaxException e) {
            throw new RulesException("failed to parse ACL rules: " + e.getMessage(), e);
        }
        try {
            Map<String, Object> m = new HCLParser().parse(text);
            return m == null ? Map.of() : m;
        } catch (Exception | StackOverflowError e) {
            // hcl4j reports syntax errors with its own checked exception, and may recurse on deep input.
            throw new RulesException("failed to parse ACL rules: " + e.getMessage(), e);
        }
    }

    private static Map<String, Object> json(String text) {
        JsonElement root;
        try {
            root = JsonParser.parseString(text);
        } catch (JsonParseException e) {
            throw new RulesException("failed to parse ACL rules (JSON): " + e.getMessage(), e);
        }
        Object tree = plain(root, 0);
        if (!(tree instanceof Map)) {
            throw new RulesException("ACL rules in JSON must be an object");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) tree;
        return m;
    }

    /** Gson's tree as maps, lists and strings; nesting is bounded (rules nest three levels). */
    private static Object plain(JsonElement e, int depth) {
        if (depth > 8) {
            throw new RulesException("ACL rules nest too deep");
        }
        if (e.isJsonObject()) {
            Map<String, Object> m = new LinkedHashMap<>();
            for (Map.Entry<String, JsonElement> x : ((JsonObject) e).entrySet()) {
                m.put(x.getKey(), plain(x.getValue(), depth + 1));
            }
            return m;
        }
        if (e.isJsonArray()) {
            List<Object> l = new ArrayList<>();
            for (JsonElement x : (JsonArray) e) {
                l.add(plain(x, depth + 1));
            }
            return l;
        }
        if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
            return e.getAsString();
        }
        throw new RulesException("unexpected value " + e + " in ACL rules");
    }

    private static Rules walk(Map<String, Object> tree, boolean legacy) {
        Rules.Builder b = new Rules.Builder();
        for (Map.Entry<String, Object> top : tree.entrySet()) {
            String word = top.getKey();
            Object v = top.getValue();
            switch (word) {
                case "keyring" -> b.keyring(Access.parse(string(word, v)));
                case "operator" -> b.operator(Access.parse(string(word, v)));
                case "acl" -> b.acl(Access.parse(string(word, v)));
                default -> named(b, word, v, legacy);
            }
        }
        return b.build();
    }

    private static void named(Rules.Builder b, String word, Object v, boolean legacy) {
        for (Resource r : Resource.values()) {
            boolean isExact = word.equals(r.word());
            boolean isPrefix = word.equals(r.prefixWord());
            if (!isExact && !isPrefix) {
                continue;
            }
            for (Map<String, Object> byName : blocks(word, v)) {
                for (Map.Entry<String, Object> e : byName.entrySet()) {
                    String name = e.getKey();
                    Access a = body(word, name, e.getValue(), r);
                    if (isPrefix || legacy) {
                        b.prefix(r, name, a);
                    } else {
                        b.exact(r, name, a);
                    }
                }
            }
            return;
        }
        throw new RulesException("unknown ACL rule type \"" + word + "\"");
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> blocks(String word, Object v) {
        List<Map<String, Object>> out = new ArrayList<>();
        if (v instanceof Map<?, ?> m) {
            out.add((Map<String, Object>) m);
        } else if (v instanceof List<?> l) {
            for (Object x : l) {
                if (!(x instanceof Map<?, ?> m)) {
                    throw new RulesException(word + " rules must be blocks with a name, e.g. " + word
                            + " \"name\" { policy = \"read\" }");
                }
                out.add((Map<String, Object>) m);
            }
        } else {
            throw new RulesException(word + " rules must be blocks with a name, e.g. " + word
                    + " \"name\" { policy = \"read\" }");
        }
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Access body(String word, String name, Object v, Resource r) {
        Map<String, Object> m;
        if (v instanceof Map<?, ?> mm) {
            m = (Map<String, Object>) mm;
        } else if (v instanceof List<?> l && l.size() == 1 && l.get(0) instanceof Map<?, ?> mm) {
            m = (Map<String, Object>) mm;
        } else {
            throw new RulesException(word + " \"" + name + "\" must be a block, e.g. { policy = \"read\" }");
        }
        Access policy = null;
        for (Map.Entry<String, Object> e : m.entrySet()) {
            switch (e.getKey()) {
                case "policy" -> policy = Access.parse(string(word + " \"" + name + "\" policy", e.getValue()));
                case "intentions" -> {
                    if (r != Resource.SERVICE) {
                        throw new RulesException(word + " \"" + name + "\": intentions apply only to services");
                    }
                    Access i = Access.parse(string(word + " \"" + name + "\" intentions", e.getValue()));
                    if (i == Access.LIST) {
                        throw new RulesException(word + " \"" + name + "\": invalid intentions \"list\"");
                    }
                }
                default -> throw new RulesException(word + " \"" + name + "\": unknown field \"" + e.getKey() + "\"");
            }
        }
        if (policy == null) {
            throw new RulesException(word + " \"" + name + "\" has no policy");
        }
        return policy;
    }

    private static String string(String what, Object v) {
        if (v instanceof String s) {
            return s;
        }
        if (v instanceof List<?> l && l.size() == 1 && l.get(0) instanceof String s) {
            return s;
        }
        throw new RulesException(what + " must be a string");
    }
}
