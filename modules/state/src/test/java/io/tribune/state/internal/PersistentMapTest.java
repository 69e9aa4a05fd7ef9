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
            if (rnd.nextInt(3) == 0) {
                m = m.remove(k);
                model.remove(k);
            } else {
                m = m.put(k, step);
                model.put(k, step);
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
