package io.tribune.state.internal;

import io.tribune.state.Change;
import io.tribune.state.Table;
import io.tribune.state.WatchTarget;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.Consumer;

/**
 * Values (waiters, subscribers) indexed by the {@link WatchTarget} they watch, so that the values
 * a {@link Change} affects are found with a few map lookups instead of a scan.
 *
 * <p>For a KV change to key {@code k}, prefix entries are looked up for each prefix of {@code k}
 * whose length is one of the lengths currently registered: O(distinct prefix lengths) lookups,
 * independent of how many values are registered. Not thread-safe: owners synchronize.
 *
 * @param <T> the value type; compared by equals (use identity-equal classes)
 */
final class TargetIndex<T> {
    private final Map<String, Set<T>> keys = new HashMap<>();
    private final Map<String, Set<T>> prefixes = new HashMap<>();
    /** Registered prefix length to the number of distinct prefixes of that length. */
    private final TreeMap<Integer, Integer> prefixLengths = new TreeMap<>();
    private final Map<String, Set<T>> services = new HashMap<>();
    private final Map<String, Set<T>> nodes = new HashMap<>();
    private final Map<Table, Set<T>> tables = new EnumMap<>(Table.class);
    private int size;

    int size() {
        return size;
    }

    void add(WatchTarget target, T value) {
        Set<T> set;
        if (target instanceof WatchTarget.KvKey k) {
            set = keys.computeIfAbsent(k.key(), x -> new LinkedHashSet<>());
        } else if (target instanceof WatchTarget.KvPrefix p) {
            set = prefixes.get(p.prefix());
            if (set == null) {
                set = new LinkedHashSet<>();
                prefixes.put(p.prefix(), set);
                prefixLengths.merge(p.prefix().length(), 1, Integer::sum);
            }
        } else if (target instanceof WatchTarget.Service s) {
            set = services.computeIfAbsent(s.name(), x -> new LinkedHashSet<>());
        } else if (target instanceof WatchTarget.Node n) {
            set = nodes.computeIfAbsent(n.name(), x -> new LinkedHashSet<>());
        } else {
            set = tables.computeIfAbsent(((WatchTarget.TableTarget) target).table(), x -> new LinkedHashSet<>());
        }
        if (set.add(value)) {
            size++;
        }
    }

    boolean remove(WatchTarget target, T value) {
        boolean removed;
        if (target instanceof WatchTarget.KvKey k) {
            removed = removeFrom(keys, k.key(), value);
        } else if (target instanceof WatchTarget.KvPrefix p) {
            Set<T> set = prefixes.get(p.prefix());
            removed = set != null && set.remove(value);
            if (removed && set.isEmpty()) {
                prefixes.remove(p.prefix());
                prefixLengths.computeIfPresent(p.prefix().length(), (k, v) -> v == 1 ? null : v - 1);
            }
        } else if (target instanceof WatchTarget.Service s) {
            removed = removeFrom(services, s.name(), value);
        } else if (target instanceof WatchTarget.Node n) {
            removed = removeFrom(nodes, n.name(), value);
        } else {
            Table t = ((WatchTarget.TableTarget) target).table();
            Set<T> set = tables.get(t);
            removed = set != null && set.remove(value);
            if (removed && set.isEmpty()) {
                tables.remove(t);
            }
        }
        if (removed) {
            size--;
        }
        return removed;
    }

    private static <T> boolean removeFrom(Map<String, Set<T>> m, String k, T value) {
        Set<T> set = m.get(k);
        if (set == null || !set.remove(value)) {
            return false;
        }
        if (set.isEmpty()) {
            m.remove(k);
        }
        return true;
    }

    /**
     * Calls {@code action} for every value whose target {@code c} affects. The action must not
     * modify this index.
     */
    void forEachMatch(Change c, Consumer<T> action) {
        if (size == 0) {
            return;
        }
        each(tables.get(c.table()), action);
        if (c.table() == Table.KVS) {
            each(keys.get(c.key()), action);
            if (!prefixLengths.isEmpty()) {
                String key = c.key();
                for (int len : prefixLengths.headMap(key.length(), true).keySet()) {
                    each(prefixes.get(key.substring(0, len)), action);
                }
            }
            return;
        }
        if (!c.service().isEmpty()) {
            each(services.get(c.service()), action);
        }
        // A node watch covers the node's catalog rows: the node, its services and checks.
        if (!c.node().isEmpty() && (c.table() == Table.NODES || c.table() == Table.SERVICES
                || c.table() == Table.CHECKS)) {
            each(nodes.get(c.node()), action);
        }
    }

    /** Every value, each once per registration. */
    List<T> all() {
        List<T> out = new ArrayList<>(size);
        for (Map<String, Set<T>> m : List.of(keys, prefixes, services, nodes)) {
            for (Set<T> s : m.values()) {
                out.addAll(s);
            }
        }
        for (Set<T> s : tables.values()) {
            out.addAll(s);
        }
        return out;
    }

    void clear() {
        keys.clear();
        prefixes.clear();
        prefixLengths.clear();
        services.clear();
        nodes.clear();
        tables.clear();
        size = 0;
    }

    private static <T> void each(Set<T> set, Consumer<T> action) {
        if (set != null) {
            for (T t : set) {
                action.accept(t);
            }
        }
    }
}
