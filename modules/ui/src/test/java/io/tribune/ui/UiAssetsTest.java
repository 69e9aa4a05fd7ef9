package io.tribune.ui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class UiAssetsTest {

    @Test
    void builtIndexReferencesAssetsThatExist() {
        assertTrue(UiAssets.built(), "the npm build step must have written index.html");
        String index = new String(UiAssets.read(UiAssets.INDEX).orElseThrow(), StandardCharsets.UTF_8);
        Matcher m = Pattern.compile("/ui/(assets/[A-Za-z0-9._-]+\\.(js|css))").matcher(index);
        int found = 0;
        while (m.find()) {
            found++;
            assertTrue(UiAssets.read(m.group(1)).isPresent(), "index.html refers to a missing " + m.group(1));
        }
        assertEquals(2, found, "one script and one stylesheet: " + index);
    }

    @Test
    void traversalAndOddNamesAreNeverLookedUp() {
        for (String p : new String[] {"", "..", "../module-info.class", "assets/../index.html", "/index.html",
                ".hidden", "assets//x.js", "assets\\x.js", "%2e%2e/x", "index.html/", "a b", "x".repeat(300)}) {
            assertFalse(UiAssets.validPath(p), p);
            assertEquals(Optional.empty(), UiAssets.read(p), p);
        }
        assertTrue(UiAssets.validPath("assets/index-Abc_1.js"));
    }

    @Test
    void missingFileAndFolderAreEmpty() {
        assertEquals(Optional.empty(), UiAssets.read("nope.html"));
        assertEquals(Optional.empty(), UiAssets.read("assets"));
    }
}
