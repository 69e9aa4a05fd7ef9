package io.tribune.state.internal;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class PersistentMapTest {

    @Test
    void randomOperationsMatchATreeMapAndOldVersionsNeverChange() {
        Random rnd = new Random(20261126L);
        PersistentMap<Integer, Integer> m = PersistentMap.empty();
        TreeMap<Integer, Integer> model = new TreeMap<>();
        List<PersistentMap<Integer, Integer>> versions = new ArrayList<>();
        List<TreeMap<Integer, Integer>> models = new ArrayList<>();
        for (int step = 0; step < 20_000; step++) {
            int k = rnd.nextInt(2_000);
            int op = rnd.nextInt(4);
            if (op == 0) {
                m = m.remove(k);
                model.remove(k);
            } else if (op == 1) {
                m = m.put(k, step);
                model.put(k, step);
            } else {
                // update: keep odd values, replace even ones and absent keys (as a CAS would decide).
                int s = step;
                m = m.update(k, v -> v != null && v % 2 == 1 ? v : Integer.valueOf(s));
                model.compute(k, (key, v) -> v != null && v % 2 == 1 ? v : s);
            }
            if (step % 2_000 == 0) {
                versions.add(m);
                models.add(new TreeMap<>(model));
            }
        }
        assertSameContent(model, m);
        for (int i = 0; i < versions.size(); i++) {
            assertSameContent(models.get(i), versions.get(i));
        }
        // AVL height bound: 1.44 log2(n + 2).
        assertTrue(m.height() <= 1.45 * (Math.log(m.size() + 2) / Math.log(2)), "height " + m.height());
    }

    @Test
    void iteratorFromStartsAtTheFirstKeyNotBelow() {
        PersistentMap<String, Integer> m = PersistentMap.empty();
        for (String k : new String[] {"a", "ab", "b", "ba", "c"}) {
            m = m.put(k, k.length());
        }
        Iterator<Map.Entry<String, Integer>> it = m.iteratorFrom("aa");
        assertEquals("ab", it.next().getKey());
        assertEquals("b", it.next().getKey());
        assertTrue(m.iteratorFrom("d").hasNext() == false);
        assertEquals("a", m.iteratorFrom(null).next().getKey());
    }

    @Test
    void anUpdateThatKeepsTheValueReturnsTheSameMap() {
        PersistentMap<Integer, Integer> m = PersistentMap.<Integer, Integer>empty().put(1, 10).put(2, 20);
        assertSame(m, m.update(2, v -> v), "the value itself: nothing changes");
        assertSame(m, m.update(3, v -> v), "null for an absent key: nothing is inserted");
        PersistentMap<Integer, Integer> n = m.update(3, v -> 30);
        assertEquals(3, n.size());
        assertEquals(30, n.get(3));
        assertEquals(3, n.update(1, v -> v + 1).size(), "replacing keeps the size");
        assertEquals(11, n.update(1, v -> v + 1).get(1));
        assertNull(m.get(3), "the old version is unchanged");
    }

    @Test
    void removingAnAbsentKeyReturnsTheSameMap() {
        PersistentMap<String, Integer> m = PersistentMap.<String, Integer>empty().put("x", 1);
        assertSame(m, m.remove("y"));
        assertNull(m.remove("x").get("x"));
        assertEquals(1, m.size());
    }

    private static void assertSameContent(TreeMap<Integer, Integer> model, PersistentMap<Integer, Integer> m) {
        assertEquals(model.size(), m.size());
        Iterator<Map.Entry<Integer, Integer>> it = m.iterator();
        for (Map.Entry<Integer, Integer> e : model.entrySet()) {
            Map.Entry<Integer, Integer> got = it.next();
            assertEquals(e.getKey(), got.getKey());
            assertEquals(e.getValue(), got.getValue());
            assertEquals(e.getValue(), m.get(e.getKey()));
        }
        assertTrue(!it.hasNext());
    }
}
