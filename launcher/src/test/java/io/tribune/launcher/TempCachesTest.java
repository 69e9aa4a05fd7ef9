package io.tribune.launcher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TempCachesTest {

    @Test
    void aCacheWhoseProcessIsGoneIsReapedAndALiveOneIsKept(@TempDir Path root) throws Exception {
        // A process that has exited: its cache stays behind as after SIGKILL.
        Process p = new ProcessBuilder("true").start();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        Path dead = Files.createDirectory(root.resolve(TempCaches.PREFIX + "dead"));
        Files.writeString(dead.resolve("bundle.jar"), "x");
        Files.writeString(root.resolve(TempCaches.PREFIX + "dead.pid"), Long.toString(p.pid()));
        // A cache without a pid file may be someone else's: left alone.
        Path foreign = Files.createDirectory(root.resolve(TempCaches.PREFIX + "foreign"));

        Path mine = TempCaches.create(root);

        assertFalse(Files.exists(dead), "the dead process's cache was reaped");
        assertFalse(Files.exists(root.resolve(TempCaches.PREFIX + "dead.pid")));
        assertTrue(Files.isDirectory(foreign));
        assertTrue(Files.isDirectory(mine));
        assertEquals(0, TempCaches.reap(root), "this process is alive: its cache stays");
        assertTrue(Files.isDirectory(mine));
        TempCaches.delete(mine);
        assertFalse(Files.exists(mine));
        assertFalse(Files.exists(mine.resolveSibling(mine.getFileName() + ".pid")));
    }
}
