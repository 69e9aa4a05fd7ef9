package io.tribune.agent.rpc;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/**
 * A snapshot in the archive layout of Consul's {@code consul snapshot save}: a gzip-compressed tar
 * (POSIX ustar) holding, in this order, {@value #META} (the snapshot's metadata with the field names
 * of hashicorp/raft's {@code SnapshotMeta}: {@code Version, ID, Index, Term, Peers, Configuration,
 * ConfigurationIndex, Size}), {@value #STATE} (Tribune's own state file, {@code docs/state.md}, not
 * Consul's) and {@value #SUMS} (the SHA-256 of both, one {@code "<hex>  <name>"} line each, the format
 * of {@code sha256sum}, so {@code sha256sum -c SHA256SUMS} checks an extracted archive). Tools that
 * inspect, store or move Consul snapshots therefore work on Tribune's; only Tribune can restore one.
 *
 * <p>{@link #read} verifies everything before it answers: the gzip stream (truncation, corruption),
 * the tar headers' checksums, that exactly the three files are there and no other, both SHA-256
 * sums, and that {@code Size} equals the length of {@value #STATE}. Every refusal is an
 * {@link InvalidArchiveException} whose message says what is wrong. Sizes are bounded before
 * anything is allocated: {@value #STATE} by the caller's limit, the two small files by
 * {@link #MAX_SMALL_FILE_BYTES}.
 *
 * <p>Stateless and thread-safe; everything happens in memory (a restore stages the whole snapshot in
 * memory anyway).
 */
public final class SnapshotArchive {
    /** The metadata file's name in the archive. */
    public static final String META = "meta.json";
    /** The state file's name in the archive. */
    public static final String STATE = "state.bin";
    /** The checksum file's name in the archive. */
    public static final String SUMS = "SHA256SUMS";
    /** Largest {@value #META} or {@value #SUMS} accepted: both are a few hundred bytes. */
    public static final int MAX_SMALL_FILE_BYTES = 64 * 1024;
    /** {@code Version} written in {@value #META}: hashicorp/raft's snapshot format version 1. */
    public static final int FORMAT_VERSION = 1;
    /** Media type of the archive, as Consul's agent answers it. */
    public static final String CONTENT_TYPE = "application/x-gzip";

    private static final int BLOCK = 512;

    private SnapshotArchive() {
    }

    /**
     * The metadata of a snapshot, as in hashicorp/raft's {@code SnapshotMeta}.
     *
     * @param id      {@code "<term>-<index>-<unix millis>"}, the shape of raft's snapshot ids; only tells
     *                snapshots apart
     * @param size    the length of {@value #STATE} in bytes
     * @param index   the last index applied to the state
     * @param term    the consensus term the snapshot was taken in (0 when the consensus plugin has no
     *                terms)
     * @param version the archive format version ({@link #FORMAT_VERSION})
     */
    public record Meta(String id, long size, long index, long term, int version) {
        /** Checks the fields are in range (non-negative numbers, an ID without control characters). */
        public Meta {
            Objects.requireNonNull(id, "id");
            if (size < 0 || index < 0 || term < 0) {
                throw new IllegalArgumentException("size, index and term must be >= 0: " + size + ", " + index
                        + ", " + term);
            }
        }

        /** Meta for a state file of {@code size} bytes at {@code index} and {@code term}, taken at {@code wallMillis}. */
        public static Meta of(long size, long index, long term, long wallMillis) {
            return new Meta(term + "-" + index + "-" + wallMillis, size, index, term, FORMAT_VERSION);
        }
    }

    /** A verified archive: its metadata and its state file. */
    public record Contents(Meta meta, byte[] state) {
        /** Requires both parts. */
        public Contents {
            Objects.requireNonNull(meta, "meta");
            Objects.requireNonNull(state, "state");
        }
    }

    /** The archive is not a valid snapshot archive; the message says why. Nothing was changed. */
    public static final class InvalidArchiveException extends IOException {
        private static final long serialVersionUID = 1L;

        /** With the reason, worded to follow "invalid snapshot archive: ". */
        public InvalidArchiveException(String message) {
            super(message);
        }
    }

    /** Whether {@code bytes} start like a gzip stream (the archive) rather than a raw state file. */
    public static boolean looksLikeArchive(byte[] bytes) {
        return bytes.length >= 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b;
    }

    /**
     * The archive of {@code state} described by {@code meta} (whose size must be {@code state.length}),
     * its files dated {@code wallMillis} (unix milliseconds).
     *
     * @throws IllegalArgumentException when {@code meta.size()} is not the state's length
     */
    public static byte[] write(Meta meta, byte[] state, long wallMillis) {
        if (meta.size() != state.length) {
            throw new IllegalArgumentException("meta says " + meta.size() + " bytes, the state has " + state.length);
        }
        byte[] metaJson = metaJson(meta).getBytes(StandardCharsets.UTF_8);
        byte[] sums = (sha256(metaJson) + "  " + META + "\n" + sha256(state) + "  " + STATE + "\n")
                .getBytes(StandardCharsets.UTF_8);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(state.length / 2 + 4096);
        try (GZIPOutputStream gz = new GZIPOutputStream(bytes, 64 * 1024)) {
            long mtime = Math.max(0, wallMillis / 1000);
            entry(gz, META, metaJson, mtime);
            entry(gz, STATE, state, mtime);
            entry(gz, SUMS, sums, mtime);
            gz.write(new byte[2 * BLOCK]); // end of archive: two zero blocks
        } catch (IOException e) {
            throw new UncheckedIOException(e); // in memory: cannot happen
        }
        return bytes.toByteArray();
    }

    /**
     * Reads and verifies an archive (see the class comment).
     *
     * @param maxStateBytes the largest {@value #STATE} accepted; a larger one is refused before it is read
     * @throws InvalidArchiveException when anything is wrong with it, naming what
     */
    public static Contents read(byte[] archive, long maxStateBytes) throws InvalidArchiveException {
        if (!looksLikeArchive(archive)) {
            throw new InvalidArchiveException("not gzip-compressed (a snapshot archive starts with 1f 8b)");
        }
        Map<String, byte[]> files = new LinkedHashMap<>();
        try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(archive), 64 * 1024)) {
            byte[] header = new byte[BLOCK];
            while (true) {
                if (!readFully(in, header)) {
                    throw new InvalidArchiveException("the tar stream ends without its end-of-archive blocks");
                }
                if (allZero(header)) {
                    drainEnd(in);
                    break;
                }
                String name = field(header, 0, 100);
                checkHeaderSum(header, name);
                char type = (char) header[156];
                if (type != '0' && type != '\0') {
                    throw new InvalidArchiveException("entry " + quote(name) + " is not a regular file (type "
                            + quote(String.valueOf(type)) + ")");
                }
                if (!name.equals(META) && !name.equals(STATE) && !name.equals(SUMS)) {
                    throw new InvalidArchiveException("unexpected file " + quote(name) + " (an archive holds "
                            + META + ", " + STATE + " and " + SUMS + " only)");
                }
                if (files.containsKey(name)) {
                    throw new InvalidArchiveException("file " + quote(name) + " appears twice");
                }
                long size = octal(header, 124, 12, name);
                long max = name.equals(STATE) ? maxStateBytes : MAX_SMALL_FILE_BYTES;
                if (size > max) {
                    throw new InvalidArchiveException(name + " of " + size + " bytes is larger than the " + max
                            + " bytes accepted");
                }
                byte[] data = new byte[(int) size];
                if (!readFully(in, data)) {
                    throw new InvalidArchiveException(name + " is truncated");
                }
                int pad = (int) ((BLOCK - size % BLOCK) % BLOCK);
                if (pad > 0 && !readFully(in, new byte[pad])) {
                    throw new InvalidArchiveException(name + " is truncated");
                }
                files.put(name, data);
            }
        } catch (EOFException | ZipException e) {
            throw new InvalidArchiveException("truncated or corrupt gzip stream (" + e.getMessage() + ")");
        } catch (InvalidArchiveException e) {
            throw e;
        } catch (IOException e) {
            throw new InvalidArchiveException("unreadable: " + e.getMessage());
        }
        for (String name : new String[] {META, STATE, SUMS}) {
            if (!files.containsKey(name)) {
                throw new InvalidArchiveException("missing " + name);
            }
        }
        verifySums(files);
        Meta meta = parseMeta(files.get(META));
        byte[] state = files.get(STATE);
        if (meta.size() != state.length) {
            throw new InvalidArchiveException(META + " gives Size " + meta.size() + " but " + STATE + " has "
                    + state.length + " bytes");
        }
        return new Contents(meta, state);
    }

    /** {@value #META}: raft's {@code SnapshotMeta} fields, with no peers and an empty configuration. */
    static String metaJson(Meta m) {
        JsonObject o = new JsonObject();
        o.addProperty("Version", m.version());
        o.addProperty("ID", m.id());
        o.addProperty("Index", m.index());
        o.addProperty("Term", m.term());
        // Tribune keeps the server set in its consensus plugin, not in the snapshot: Peers and
        // Configuration are there for tools that expect the fields, and empty.
        o.add("Peers", com.google.gson.JsonNull.INSTANCE);
        JsonObject cfg = new JsonObject();
        cfg.add("Servers", new com.google.gson.JsonArray());
        o.add("Configuration", cfg);
        o.addProperty("ConfigurationIndex", 0);
        o.addProperty("Size", m.size());
        return o.toString();
    }

    private static Meta parseMeta(byte[] json) throws InvalidArchiveException {
        try {
            JsonElement e = JsonParser.parseString(new String(json, StandardCharsets.UTF_8));
            if (!e.isJsonObject()) {
                throw new InvalidArchiveException(META + " is not a JSON object");
            }
            JsonObject o = e.getAsJsonObject();
            for (String f : new String[] {"ID", "Size", "Index", "Term", "Version"}) {
                if (!o.has(f) || o.get(f).isJsonNull() || !o.get(f).isJsonPrimitive()) {
                    throw new InvalidArchiveException(META + " has no " + f);
                }
            }
            return new Meta(o.get("ID").getAsString(), o.get("Size").getAsLong(), o.get("Index").getAsLong(),
                    o.get("Term").getAsLong(), o.get("Version").getAsInt());
        } catch (JsonParseException | NumberFormatException | IllegalStateException e) {
            throw new InvalidArchiveException(META + " is not valid: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new InvalidArchiveException(META + " is not valid: " + e.getMessage());
        }
    }

    private static void verifySums(Map<String, byte[]> files) throws InvalidArchiveException {
        Map<String, String> sums = new LinkedHashMap<>();
        for (String line : new String(files.get(SUMS), StandardCharsets.UTF_8).split("\n")) {
            if (line.isBlank()) {
                continue;
            }
            // sha256sum's format: 64 hex digits, a space, a space (text) or '*' (binary), the name.
            if (line.length() < 67 || line.charAt(64) != ' ' || (line.charAt(65) != ' ' && line.charAt(65) != '*')) {
                throw new InvalidArchiveException(SUMS + " has a malformed line: " + quote(line));
            }
            sums.put(line.substring(66), line.substring(0, 64).toLowerCase(java.util.Locale.ROOT));
        }
        for (String name : new String[] {META, STATE}) {
            String want = sums.get(name);
            if (want == null) {
                throw new InvalidArchiveException(SUMS + " has no sum for " + name);
            }
            String have = sha256(files.get(name));
            if (!have.equals(want)) {
                throw new InvalidArchiveException("SHA-256 of " + name + " is " + have + ", " + SUMS + " says "
                        + want);
            }
        }
    }

    /** One ustar entry: header, data, zero padding to a block boundary. */
    private static void entry(GZIPOutputStream out, String name, byte[] data, long mtime) throws IOException {
        byte[] h = new byte[BLOCK];
        put(h, 0, name);
        put(h, 100, "0000644");
        put(h, 108, "0000000");
        put(h, 116, "0000000");
        put(h, 124, String.format("%011o", data.length));
        put(h, 136, String.format("%011o", mtime));
        h[156] = '0';
        put(h, 257, "ustar");
        put(h, 263, "00");
        put(h, 265, "root");
        put(h, 297, "root");
        // The checksum is computed with its own field read as spaces.
        for (int i = 148; i < 156; i++) {
            h[i] = ' ';
        }
        put(h, 148, String.format("%06o", headerSum(h)));
        h[154] = 0;
        h[155] = ' ';
        out.write(h);
        out.write(data);
        int pad = (BLOCK - data.length % BLOCK) % BLOCK;
        out.write(new byte[pad]);
    }

    private static void checkHeaderSum(byte[] h, String name) throws InvalidArchiveException {
        long stored = octal(h, 148, 8, name);
        byte[] copy = h.clone();
        for (int i = 148; i < 156; i++) {
            copy[i] = ' ';
        }
        if (headerSum(copy) != stored) {
            throw new InvalidArchiveException("tar header of " + quote(name) + " is corrupt (checksum mismatch)");
        }
    }

    private static long headerSum(byte[] h) {
        long sum = 0;
        for (byte b : h) {
            sum += b & 0xff;
        }
        return sum;
    }

    private static void put(byte[] h, int at, String s) {
        byte[] b = s.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(b, 0, h, at, b.length);
    }

    private static String field(byte[] h, int at, int len) {
        int end = at;
        while (end < at + len && h[end] != 0) {
            end++;
        }
        return new String(h, at, end - at, StandardCharsets.UTF_8);
    }

    /** An octal number field (NUL- or space-terminated, leading spaces allowed). */
    private static long octal(byte[] h, int at, int len, String name) throws InvalidArchiveException {
        long v = 0;
        int i = at;
        while (i < at + len && h[i] == ' ') {
            i++;
        }
        int digits = 0;
        for (; i < at + len && h[i] != 0 && h[i] != ' '; i++) {
            if (h[i] < '0' || h[i] > '7' || digits >= 21) {
                throw new InvalidArchiveException("tar header of " + quote(name) + " has a malformed number");
            }
            v = v * 8 + (h[i] - '0');
            digits++;
        }
        if (digits == 0) {
            throw new InvalidArchiveException("tar header of " + quote(name) + " has an empty number");
        }
        return v;
    }

    /**
     * Reads what follows the first end-of-archive block to the end of the gzip stream, so that its
     * trailer (CRC-32 and length) is checked too: a cut-off archive is refused even when the cut is
     * after the last file. Only zero padding may follow (tar writers add 1 to 19 blocks of it).
     */
    private static void drainEnd(InputStream in) throws IOException {
        byte[] buf = new byte[BLOCK];
        long seen = 0;
        int n;
        while ((n = in.read(buf)) >= 0) {
            seen += n;
            for (int i = 0; i < n; i++) {
                if (buf[i] != 0) {
                    throw new InvalidArchiveException("data after the end of the tar archive");
                }
            }
            if (seen > 64L * BLOCK) {
                throw new InvalidArchiveException("more than " + 64 * BLOCK + " bytes of padding after the archive");
            }
        }
    }

    private static boolean readFully(InputStream in, byte[] buf) throws IOException {
        int at = 0;
        while (at < buf.length) {
            int n = in.read(buf, at, buf.length - at);
            if (n < 0) {
                return false;
            }
            at += n;
        }
        return true;
    }

    private static boolean allZero(byte[] b) {
        for (byte x : b) {
            if (x != 0) {
                return false;
            }
        }
        return true;
    }

    private static String quote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (int i = 0; i < s.length() && i < 100; i++) {
            char c = s.charAt(i);
            b.append(c < 0x20 || c == 0x7f ? '?' : c);
        }
        return b.append('"').toString();
    }

    /** Lower-case hex SHA-256 of {@code data}. */
    static String sha256(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
