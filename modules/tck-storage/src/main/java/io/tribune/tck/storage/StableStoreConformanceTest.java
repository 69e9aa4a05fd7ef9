package io.tribune.tck.storage;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.tribune.api.storage.CorruptionException;
import io.tribune.api.storage.StableStore;
import io.tribune.api.storage.StorageException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The {@link StableStore} contract: values by key, batches that apply entirely or not at all,
 * deletion with {@code null}, the documented size bounds, and (for durable plugins) persistence
 * across a restart.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
public abstract class StableStoreConformanceTest extends StorageConformanceSupport {

    /** Subclasses bind a plugin. */
    protected StableStoreConformanceTest() {
    }

    private StableStore stable() {
        return storage.stable();
    }

    private static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    /** Checks: Missing key is empty and long default applies. */
    @Test
    public void missingKeyIsEmptyAndLongDefaultApplies() {
        assertTrue(stable().get("nothing").isEmpty());
        assertEquals(-7, stable().getLong("nothing", -7));
    }

    /** Checks: Values round trip and overwrite. */
    @Test
    public void valuesRoundTripAndOverwrite() {
        stable().put("vote", bytes("node-a"));
        stable().putLong("term", 5);
        assertArrayEquals(bytes("node-a"), stable().get("vote").orElseThrow());
        assertEquals(5, stable().getLong("term", 0));
        stable().put("vote", bytes("node-b"));
        stable().putLong("term", Long.MAX_VALUE);
        assertArrayEquals(bytes("node-b"), stable().get("vote").orElseThrow());
        assertEquals(Long.MAX_VALUE, stable().getLong("term", 0));
    }

    /** Checks: Empty value is stored and is not a deletion. */
    @Test
    public void emptyValueIsStoredAndIsNotADeletion() {
        stable().put("empty", new byte[0]);
        assertArrayEquals(new byte[0], stable().get("empty").orElseThrow());
    }

    /** Checks: Batch stores every value and null deletes. */
    @Test
    public void batchStoresEveryValueAndNullDeletes() {
        stable().put("a", bytes("1"));
        Map<String, byte[]> batch = new HashMap<>();
        batch.put("a", null);
        batch.put("b", bytes("2"));
        batch.put("c", bytes("3"));
        stable().put(batch);
        assertTrue(stable().get("a").isEmpty());
        assertArrayEquals(bytes("2"), stable().get("b").orElseThrow());
        assertArrayEquals(bytes("3"), stable().get("c").orElseThrow());
        stable().put("never-there", null);
        assertTrue(stable().get("never-there").isEmpty());
    }

    /** Checks: Value stored is not changed by the caller reusing its array. */
    @Test
    public void valueStoredIsNotChangedByTheCallerReusingItsArray() {
        byte[] v = bytes("abc");
        stable().put("k", v);
        v[0] = 'z';
        assertArrayEquals(bytes("abc"), stable().get("k").orElseThrow());
    }

    /** Checks: Keys and values at the limits are accepted. */
    @Test
    public void keysAndValuesAtTheLimitsAreAccepted() {
        String key = "k".repeat(256);
        byte[] value = new byte[1 << 20];
        value[value.length - 1] = 42;
        stable().put(key, value);
        assertArrayEquals(value, stable().get(key).orElseThrow());
    }

    /** Checks: Oversized key or value fails the whole batch and changes nothing. */
    @Test
    public void oversizedKeyOrValueFailsTheWholeBatchAndChangesNothing() {
        stable().put("keep", bytes("old"));
        Map<String, byte[]> tooLongKey = new LinkedHashMap<>();
        tooLongKey.put("keep", bytes("new"));
        tooLongKey.put("k".repeat(257), bytes("x"));
        assertThrows(IllegalArgumentException.class, () -> stable().put(tooLongKey));

        Map<String, byte[]> tooBig = new LinkedHashMap<>();
        tooBig.put("keep", bytes("new"));
        tooBig.put("big", new byte[(1 << 20) + 1]);
        assertThrows(IllegalArgumentException.class, () -> stable().put(tooBig));

        assertArrayEquals(bytes("old"), stable().get("keep").orElseThrow());
        assertTrue(stable().get("big").isEmpty());
    }

    /** Checks: Empty or null key is refused. */
    @Test
    public void emptyOrNullKeyIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> stable().put("", bytes("x")));
        Map<String, byte[]> withNullKey = new HashMap<>();
        withNullKey.put(null, bytes("x"));
        assertThrows(IllegalArgumentException.class, () -> stable().put(withNullKey));
    }

    /** Checks: Long under a key of another size is reported as corrupt. */
    @Test
    public void longUnderAKeyOfAnotherSizeIsReportedAsCorrupt() {
        stable().put("term", bytes("abc"));
        assertThrows(CorruptionException.class, () -> stable().getLong("term", 0));
    }

    /** Checks: Every method fails after close. */
    @Test
    public void everyMethodFailsAfterClose() {
        StableStore closed = stable();
        storage.close();
        assertThrows(StorageException.class, () -> closed.get("a"));
        assertThrows(StorageException.class, () -> closed.put("a", bytes("1")));
        storage.close();
    }

    /** Checks: Values and deletions survive restart. */
    @Test
    public void valuesAndDeletionsSurviveRestart() {
        stable().putLong("term", 9);
        stable().put("vote", bytes("node-c"));
        stable().put("gone", bytes("x"));
        stable().put("gone", null);
        restart();
        assertEquals(9, stable().getLong("term", 0));
        assertArrayEquals(bytes("node-c"), stable().get("vote").orElseThrow());
        assertTrue(stable().get("gone").isEmpty());
    }

    /** Checks: Refused batch leaves nothing after restart. */
    @Test
    public void refusedBatchLeavesNothingAfterRestart() {
        stable().put("keep", bytes("old"));
        Map<String, byte[]> bad = new LinkedHashMap<>();
        bad.put("keep", bytes("new"));
        bad.put("k".repeat(300), bytes("x"));
        assertThrows(IllegalArgumentException.class, () -> stable().put(bad));
        restart();
        assertArrayEquals(bytes("old"), stable().get("keep").orElseThrow());
    }
}
