package io.tribune.ui;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * The files of the built web UI, read from this module's resources under
 * {@code io/tribune/ui/static/}. Names are relative ({@code index.html}, {@code assets/index-abc.js}).
 *
 * <p>Only names made of safe segments are looked up: each segment starts with a letter, digit or
 * {@code _} and holds only letters, digits, {@code . _ -}, so {@code ..}, hidden files, backslashes,
 * encoded characters and absolute paths are refused before any lookup; the last segment has an
 * extension ({@code .js}), which keeps folders out; a name is at most
 * {@link #MAX_PATH_CHARS} characters and a file at most {@link #MAX_FILE_BYTES} bytes.
 *
 * <p>Stateless and thread-safe; every call reads the jar again, so callers that serve often cache.
 */
public final class UiAssets {
    /** Longest name looked up, in characters. */
    public static final int MAX_PATH_CHARS = 256;
    /** Largest file returned, in bytes; the built UI's files are a few kilobytes. */
    public static final int MAX_FILE_BYTES = 8 << 20;
    /** The UI's entry page. */
    public static final String INDEX = "index.html";
    private static final String ROOT = "/io/tribune/ui/static/";
    private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]{0,127}");
    private static final Pattern FILE = Pattern.compile(".*\\.[A-Za-z0-9]{1,8}");

    private UiAssets() {
    }

    /** Whether {@code path} is a name this class would look up (see the class comment). */
    public static boolean validPath(String path) {
        if (path == null || path.isEmpty() || path.length() > MAX_PATH_CHARS) {
            return false;
        }
        if (!FILE.matcher(path).matches()) {
            return false;
        }
        for (String segment : path.split("/", -1)) {
            if (!SEGMENT.matcher(segment).matches()) {
                return false;
            }
        }
        return true;
    }

    /**
     * The bytes of the file {@code path}.
     *
     * @return empty when the name is not valid ({@link #validPath}), or names no file (a folder
     *         included)
     * @throws UncheckedIOException when the file exists but cannot be read or exceeds
     *                              {@link #MAX_FILE_BYTES}
     */
    public static Optional<byte[]> read(String path) {
        if (!validPath(path)) {
            return Optional.empty();
        }
        try (InputStream in = UiAssets.class.getResourceAsStream(ROOT + path)) {
            if (in == null) {
                return Optional.empty();
            }
            byte[] bytes = in.readNBytes(MAX_FILE_BYTES + 1);
            if (bytes.length > MAX_FILE_BYTES) {
                throw new IOException("UI file " + path + " is larger than " + MAX_FILE_BYTES + " bytes");
            }
            return Optional.of(bytes);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Whether this jar holds a built UI (its {@link #INDEX}); false when built without the UI step. */
    public static boolean built() {
        return UiAssets.class.getResource(ROOT + INDEX) != null;
    }
}
