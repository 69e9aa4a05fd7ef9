package io.tribune.state.internal;

import java.util.ArrayDeque;
import java.util.Comparator;
import java.util.Iterator;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.function.BiConsumer;

/**
 * An immutable sorted map (a persistent AVL tree with path copying).
 *
 * <p>Why: the state store publishes one immutable root per applied index, so readers never lock
 * and a snapshot is a reference capture (the shape go-memdb's immutable radix tree gives Consul).
 * An update copies only the O(log n) nodes on the path to the changed key; every older version
 * stays valid and unchanged. Iteration is always in key order, so nothing that depends on it is
 * ever non-deterministic.
 *
 * @param <K> key type, ordered by the map's comparator
 * @param <V> value type; values must themselves be immutable
 */
public final class PersistentMap<K, V> implements Iterable<Map.Entry<K, V>> {

    private static final class Node<K, V> implements Map.Entry<K, V> {
        final K key;
        final V value;
        final Node<K, V> left;
        final Node<K, V> right;
        final int height;

        Node(K key, V value, Node<K, V> left, Node<K, V> right) {
            this.key = key;
            this.value = value;
            this.left = left;
            this.right = right;
            this.height = 1 + Math.max(h(left), h(right));
        }

        @Override
        public K getKey() {
            return key;
        }

        @Override
        public V getValue() {
            return value;
        }

        @Override
        public V setValue(V v) {
            throw new UnsupportedOperationException("immutable");
        }

        @Override
        public String toString() {
            return key + "=" + value;
        }
    }

    private final Comparator<? super K> cmp;
    private final Node<K, V> root;
    private final int size;

    private PersistentMap(Comparator<? super K> cmp, Node<K, V> root, int size) {
        this.cmp = cmp;
        this.root = root;
        this.size = size;
    }

    /** An empty map ordered by {@code cmp}. */
    public static <K, V> PersistentMap<K, V> empty(Comparator<? super K> cmp) {
        return new PersistentMap<>(Objects.requireNonNull(cmp), null, 0);
    }

    /** An empty map ordered by the keys' natural order. */
    public static <K extends Comparable<? super K>, V> PersistentMap<K, V> empty() {
        return new PersistentMap<>(Comparator.naturalOrder(), null, 0);
    }

    /** Number of entries. */
    public int size() {
        return size;
    }

    /** Whether the map has no entry. */
    public boolean isEmpty() {
        return size == 0;
    }

    /** The value for {@code key}, or null. */
    public V get(K key) {
        Node<K, V> n = root;
        while (n != null) {
            int c = cmp.compare(key, n.key);
            if (c == 0) {
                return n.value;
            }
            n = c < 0 ? n.left : n.right;
        }
        return null;
    }

    /** Whether {@code key} is present. */
    public boolean containsKey(K key) {
        return get(key) != null;
    }

    /** A map with {@code key} bound to {@code value} (non-null); this map is unchanged. */
    public PersistentMap<K, V> put(K key, V value) {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(value, "value");
        // One descent, not a lookup and then an insert: with ~10^5 keys every level is a cache miss,
        // and a KV write's tree walks were the hottest code of a server under write load.
        boolean[] replaced = new boolean[1];
        Node<K, V> r = insert(root, key, value, replaced);
        return new PersistentMap<>(cmp, r, replaced[0] ? size : size + 1);
    }

    /**
     * A map with {@code key} bound to {@code f(current value or null)}, found and replaced in one
     * descent; this map when {@code f} returns the current value itself (or null for an absent key).
     * {@code f} must not return null for a present key (use {@link #remove}).
     */
    public PersistentMap<K, V> update(K key, java.util.function.UnaryOperator<V> f) {
        Objects.requireNonNull(key, "key");
        int[] added = new int[1];
        Node<K, V> r = update(root, key, f, added);
        return r == root ? this : new PersistentMap<>(cmp, r, size + added[0]);
    }

    private Node<K, V> update(Node<K, V> n, K key, java.util.function.UnaryOperator<V> f, int[] added) {
        if (n == null) {
            V v = f.apply(null);
            if (v == null) {
                return null;
            }
            added[0] = 1;
            return new Node<>(key, v, null, null);
        }
        int c = cmp.compare(key, n.key);
        if (c == 0) {
            V v = Objects.requireNonNull(f.apply(n.value), "update cannot remove a key");
            return v == n.value ? n : new Node<>(key, v, n.left, n.right);
        }
        if (c < 0) {
            Node<K, V> l = update(n.left, key, f, added);
            return l == n.left ? n : balance(n.key, n.value, l, n.right);
        }
        Node<K, V> r = update(n.right, key, f, added);
        return r == n.right ? n : balance(n.key, n.value, n.left, r);
    }

    /** A map without {@code key}; returns this map when the key is absent. */
    public PersistentMap<K, V> remove(K key) {
        if (get(key) == null) {
            return this;
        }
        return new PersistentMap<>(cmp, delete(root, key), size - 1);
    }

    /** Entries in key order, starting at the first key >= {@code from} (all when from is null). */
    public Iterator<Map.Entry<K, V>> iteratorFrom(K from) {
        return new Iter<>(root, from, cmp);
    }

    @Override
    public Iterator<Map.Entry<K, V>> iterator() {
        return iteratorFrom(null);
    }

    /** Calls {@code action} for every entry in key order. */
    public void forEachEntry(BiConsumer<? super K, ? super V> action) {
        for (Map.Entry<K, V> e : this) {
            action.accept(e.getKey(), e.getValue());
        }
    }

    private static int h(Node<?, ?> n) {
        return n == null ? 0 : n.height;
    }

    private Node<K, V> insert(Node<K, V> n, K key, V value, boolean[] replaced) {
        if (n == null) {
            return new Node<>(key, value, null, null);
        }
        int c = cmp.compare(key, n.key);
        if (c == 0) {
            replaced[0] = true;
            return new Node<>(key, value, n.left, n.right);
        }
        if (c < 0) {
            return balance(n.key, n.value, insert(n.left, key, value, replaced), n.right);
        }
        return balance(n.key, n.value, n.left, insert(n.right, key, value, replaced));
    }

    private Node<K, V> delete(Node<K, V> n, K key) {
        int c = cmp.compare(key, n.key);
        if (c < 0) {
            return balance(n.key, n.value, delete(n.left, key), n.right);
        }
        if (c > 0) {
            return balance(n.key, n.value, n.left, delete(n.right, key));
        }
        if (n.left == null) {
            return n.right;
        }
        if (n.right == null) {
            return n.left;
        }
        Node<K, V> min = n.right;
        while (min.left != null) {
            min = min.left;
        }
        return balance(min.key, min.value, n.left, delete(n.right, min.key));
    }

    private static <K, V> Node<K, V> balance(K key, V value, Node<K, V> l, Node<K, V> r) {
        int diff = h(l) - h(r);
        if (diff > 1) {
            if (h(l.left) >= h(l.right)) {
                return new Node<>(l.key, l.value, l.left, new Node<>(key, value, l.right, r));
            }
            Node<K, V> lr = l.right;
            return new Node<>(lr.key, lr.value, new Node<>(l.key, l.value, l.left, lr.left),
                    new Node<>(key, value, lr.right, r));
        }
        if (diff < -1) {
            if (h(r.right) >= h(r.left)) {
                return new Node<>(r.key, r.value, new Node<>(key, value, l, r.left), r.right);
            }
            Node<K, V> rl = r.left;
            return new Node<>(rl.key, rl.value, new Node<>(key, value, l, rl.left),
                    new Node<>(r.key, r.value, rl.right, r.right));
        }
        return new Node<>(key, value, l, r);
    }

    /** In-order iterator with an explicit stack (tree height is O(log n), so the stack is small). */
    private static final class Iter<K, V> implements Iterator<Map.Entry<K, V>> {
        private final ArrayDeque<Node<K, V>> stack = new ArrayDeque<>();

        Iter(Node<K, V> root, K from, Comparator<? super K> cmp) {
            Node<K, V> n = root;
            while (n != null) {
                if (from == null || cmp.compare(from, n.key) <= 0) {
                    stack.push(n);
                    n = n.left;
                } else {
                    n = n.right;
                }
            }
        }

        @Override
        public boolean hasNext() {
            return !stack.isEmpty();
        }

        @Override
        public Map.Entry<K, V> next() {
            if (stack.isEmpty()) {
                throw new NoSuchElementException();
            }
            Node<K, V> n = stack.pop();
            Node<K, V> c = n.right;
            while (c != null) {
                stack.push(c);
                c = c.left;
            }
            return n;
        }
    }

    /** Height of the tree; exposed for the balance test. */
    int height() {
        return h(root);
    }
}
