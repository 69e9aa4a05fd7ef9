package io.tribune.state.internal;

import io.tribune.state.PreparedQuery;

/**
 * The prepared-query part of one state version: queries by ID, with three derived indexes kept in
 * step by {@link QueryOps} and rebuilt on restore: names (of named queries and templates), template
 * names (the prefixes templates match, "" included), and (session, query ID) pairs. Immutable.
 */
public final class QueryTables {
    static final QueryTables EMPTY = new QueryTables(PersistentMap.empty(), PersistentMap.empty(), PersistentMap.empty(),
            PersistentMap.empty());

    /** Queries by ID. */
    public final PersistentMap<String, PreparedQuery> byId;
    /** Query ID by name, for non-empty names. */
    public final PersistentMap<String, String> byName;
    /** Template ID by the template's name (its prefix; may be ""). */
    public final PersistentMap<String, String> templates;
    /** (session, query ID) for every query bound to a session. */
    public final PersistentMap<Key2, Boolean> bySession;

    private QueryTables(PersistentMap<String, PreparedQuery> byId, PersistentMap<String, String> byName,
                        PersistentMap<String, String> templates, PersistentMap<Key2, Boolean> bySession) {
        this.byId = byId;
        this.byName = byName;
        this.templates = templates;
        this.bySession = bySession;
    }

    /** Whether no query is stored. */
    public boolean isEmpty() {
        return byId.isEmpty();
    }

    /** The template whose name is the longest prefix of {@code name}, or null. */
    public PreparedQuery longestTemplate(String name) {
        if (templates.isEmpty()) {
            return null;
        }
        for (int len = name.length(); len >= 0; len--) {
            String id = templates.get(name.substring(0, len));
            if (id != null) {
                return byId.get(id);
            }
        }
        return null;
    }

    QueryTables with(PreparedQuery q) {
        QueryTables t = without(q.id());
        PersistentMap<String, String> names = q.name().isEmpty() ? t.byName : t.byName.put(q.name(), q.id());
        PersistentMap<String, String> tpl = q.isTemplate() ? t.templates.put(q.name(), q.id()) : t.templates;
        PersistentMap<Key2, Boolean> ses = q.session().isEmpty() ? t.bySession
                : t.bySession.put(new Key2(q.session(), q.id()), Boolean.TRUE);
        return new QueryTables(t.byId.put(q.id(), q), names, tpl, ses);
    }

    QueryTables without(String id) {
        PreparedQuery old = byId.get(id);
        if (old == null) {
            return this;
        }
        PersistentMap<String, String> names = old.name().isEmpty() ? byName : byName.remove(old.name());
        PersistentMap<String, String> tpl = old.isTemplate() ? templates.remove(old.name()) : templates;
        PersistentMap<Key2, Boolean> ses = old.session().isEmpty() ? bySession
                : bySession.remove(new Key2(old.session(), id));
        return new QueryTables(byId.remove(id), names, tpl, ses);
    }
}
