package io.tribune.state;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A compiled prepared-query template: renders the query for a name looked up. Every text of the
 * query's {@link PreparedQuery.ServiceQuery} (service, near, tags, datacenters of the failover,
 * node metadata keys and values) is interpolated; the variables are {@code ${name.full}} (the
 * whole name looked up), {@code ${name.prefix}} (the template's name), {@code ${name.suffix}} (the
 * rest), {@code ${agent.segment}} (the executing agent's network segment, "" without segments)
 * and {@code ${match(N)}} (group N of the template's regular expression found in the whole name,
 * 0 for the whole match; "" when it did not match or there is no such group).
 *
 * <p>Java's regular expressions stand in for Go's RE2: the common syntax ({@code ^geo-db-(.*?)-([^\-]+?)$})
 * means the same; the expression is searched for in the name (not matched against all of it), as
 * RE2's {@code FindStringSubmatch} does.
 *
 * <p>Immutable and thread-safe. Pure: no clock, no I/O.
 */
public final class QueryTemplate {
    /** The one template type, Consul's: the template applies to names starting with its name. */
    public static final String NAME_PREFIX_MATCH = "name_prefix_match";
    /** Longest regular expression accepted, in characters. */
    public static final int MAX_REGEXP_CHARS = 1024;
    /** Most interpolations in one text (bounds rendering work). */
    public static final int MAX_INTERPOLATIONS = 64;

    private static final Pattern MATCH = Pattern.compile("match\\(\\s*(\\d{1,4})\\s*\\)");

    private final PreparedQuery query;
    private final Pattern regexp;

    private QueryTemplate(PreparedQuery query, Pattern regexp) {
        this.query = query;
        this.regexp = regexp;
    }

    /**
     * Compiles {@code query}'s template and renders it once with its own name, as Consul does, so
     * that a template that cannot render is refused when it is written, not when it runs.
     *
     * @throws IllegalArgumentException for a query that is not a template, an unknown type, a bad
     *                                  regular expression, or a text that does not interpolate
     */
    public static QueryTemplate compile(PreparedQuery query) {
        String type = query.template().type();
        if (!NAME_PREFIX_MATCH.equals(type)) {
            throw new IllegalArgumentException("Bad Template.Type '" + clip(type) + "'");
        }
        Pattern p = null;
        String re = query.template().regexp();
        if (!re.isEmpty()) {
            if (re.length() > MAX_REGEXP_CHARS) {
                throw new IllegalArgumentException("Bad Regexp: longer than " + MAX_REGEXP_CHARS + " characters");
            }
            try {
                p = Pattern.compile(re);
            } catch (PatternSyntaxException e) {
                throw new IllegalArgumentException("Bad Regexp: " + e.getDescription() + " in '" + clip(re) + "'");
            }
        }
        QueryTemplate t = new QueryTemplate(query, p);
        t.render(query.name(), "");
        return t;
    }

    /**
     * The query as it runs for {@code fullName} (which starts with the template's name): its
     * service part interpolated, empty tags dropped when the template says so.
     *
     * @param agentSegment the executing agent's network segment, "" when none
     * @throws IllegalArgumentException naming a text that does not interpolate
     */
    public PreparedQuery render(String fullName, String agentSegment) {
        String prefix = query.name();
        String suffix = fullName.startsWith(prefix) ? fullName.substring(prefix.length()) : "";
        List<String> groups = new ArrayList<>();
        if (regexp != null) {
            Matcher m = regexp.matcher(fullName);
            if (m.find()) {
                for (int i = 0; i <= m.groupCount(); i++) {
                    String g = m.group(i);
                    groups.add(g == null ? "" : g);
                }
            }
        }
        Vars v = new Vars(fullName, prefix, suffix, agentSegment == null ? "" : agentSegment, groups);
        PreparedQuery.ServiceQuery s = query.service();
        List<String> tags = new ArrayList<>(s.tags().size());
        for (String tag : s.tags()) {
            String r = interpolate(tag, v);
            if (!r.isEmpty() || !query.template().removeEmptyTags()) {
                tags.add(r);
            }
        }
        List<String> dcs = new ArrayList<>(s.failover().datacenters().size());
        for (String dc : s.failover().datacenters()) {
            dcs.add(interpolate(dc, v));
        }
        Map<String, String> meta = new LinkedHashMap<>();
        for (Map.Entry<String, String> e : s.nodeMeta().entrySet()) {
            meta.put(interpolate(e.getKey(), v), interpolate(e.getValue(), v));
        }
        return query.withService(new PreparedQuery.ServiceQuery(interpolate(s.service(), v),
                new PreparedQuery.Failover(s.failover().nearestN(), dcs), s.onlyPassing(), interpolate(s.near(), v),
                tags, meta));
    }

    private record Vars(String full, String prefix, String suffix, String segment, List<String> groups) {
    }

    /** {@code text} with every {@code ${...}} replaced. */
    static String interpolate(String text, Vars v) {
        int at = text.indexOf("${");
        if (at < 0) {
            return text;
        }
        StringBuilder out = new StringBuilder(text.length() + 16);
        int from = 0;
        int count = 0;
        while (at >= 0) {
            if (++count > MAX_INTERPOLATIONS) {
                throw new IllegalArgumentException("more than " + MAX_INTERPOLATIONS + " interpolations in '"
                        + clip(text) + "'");
            }
            int end = text.indexOf('}', at + 2);
            if (end < 0) {
                throw new IllegalArgumentException("unterminated interpolation in '" + clip(text) + "'");
            }
            out.append(text, from, at);
            out.append(value(text.substring(at + 2, end).trim(), v, text));
            from = end + 1;
            at = text.indexOf("${", from);
        }
        return out.append(text, from, text.length()).toString();
    }

    private static String value(String expr, Vars v, String text) {
        switch (expr) {
            case "name.full":
                return v.full();
            case "name.prefix":
                return v.prefix();
            case "name.suffix":
                return v.suffix();
            case "agent.segment":
                return v.segment();
            default:
                Matcher m = MATCH.matcher(expr);
                if (m.matches()) {
                    int n = Integer.parseInt(m.group(1));
                    return n < v.groups().size() ? v.groups().get(n) : "";
                }
                throw new IllegalArgumentException("unknown interpolation '${" + clip(expr) + "}' in '" + clip(text)
                        + "' (known: name.full, name.prefix, name.suffix, agent.segment, match(N))");
        }
    }

    private static String clip(String s) {
        return s.length() > 64 ? s.substring(0, 64) + "..." : s;
    }
}
