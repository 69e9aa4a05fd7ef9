package io.tribune.agent.observe;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Facts about the machine for {@code /v1/agent/host}, in Consul's shape ({@code Memory}, {@code CPU},
 * {@code Host}, {@code Disk}, {@code CollectionTime}, {@code Errors}; the inner keys are gopsutil's,
 * which Consul passes through). Read from {@code /proc} and {@code /etc/os-release} where they exist
 * and from the JVM otherwise; a fact that cannot be read is left at zero and its reason added to
 * {@code Errors}, so the answer always has every key.
 *
 * <p>Stateless; {@link #collect} reads files and may take a few milliseconds. Thread-safe.
 */
public final class HostFacts {
    /** Largest /proc file read, in bytes: cpuinfo of a big machine is a few hundred KiB. */
    static final int MAX_PROC_BYTES = 4 << 20;
    /** Most CPUs listed. */
    static final int MAX_CPUS = 1024;

    private HostFacts() {
    }

    /**
     * The facts now, reading files through {@code read} (a path to its text, or an exception).
     *
     * @param dataDir the directory whose file system {@code Disk} describes ({@code /} when empty)
     * @param nowNanos wall-clock time in nanoseconds since the epoch, for {@code CollectionTime}
     */
    public static Map<String, Object> collect(Path dataDir, long nowNanos, Function<Path, String> read) {
        List<String> errors = new ArrayList<>();
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("Memory", memory(read, errors));
        out.put("CPU", cpus(read, errors));
        out.put("Host", host(read, errors));
        out.put("Disk", disk(dataDir, errors));
        out.put("CollectionTime", nowNanos);
        out.put("Errors", errors.isEmpty() ? null : errors);
        return out;
    }

    /** {@link #collect} reading the real files. */
    public static Map<String, Object> collect(Path dataDir, long nowNanos) {
        return collect(dataDir, nowNanos, HostFacts::readFile);
    }

    static String readFile(Path p) {
        try {
            if (Files.size(p) > MAX_PROC_BYTES) {
                throw new IllegalStateException(p + " is larger than " + MAX_PROC_BYTES + " bytes");
            }
            // /proc files report size 0; read them whole but bounded.
            byte[] b;
            try (var in = Files.newInputStream(p)) {
                b = in.readNBytes(MAX_PROC_BYTES);
            }
            return new String(b, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + p + ": " + e.getMessage(), e);
        }
    }

    private static Map<String, Object> memory(Function<Path, String> read, List<String> errors) {
        long total = 0;
        long free = 0;
        long available = 0;
        long buffers = 0;
        long cached = 0;
        long swapTotal = 0;
        long swapFree = 0;
        try {
            Map<String, Long> kb = new LinkedHashMap<>();
            for (String line : read.apply(Path.of("/proc/meminfo")).split("\n")) {
                int colon = line.indexOf(':');
                if (colon <= 0) {
                    continue;
                }
                String[] v = line.substring(colon + 1).trim().split("\\s+");
                try {
                    kb.put(line.substring(0, colon), Long.parseLong(v[0]) * 1024);
                } catch (NumberFormatException ignored) {
                    // A line of another shape: not one we use.
                }
            }
            total = kb.getOrDefault("MemTotal", 0L);
            free = kb.getOrDefault("MemFree", 0L);
            available = kb.getOrDefault("MemAvailable", free);
            buffers = kb.getOrDefault("Buffers", 0L);
            cached = kb.getOrDefault("Cached", 0L);
            swapTotal = kb.getOrDefault("SwapTotal", 0L);
            swapFree = kb.getOrDefault("SwapFree", 0L);
        } catch (RuntimeException e) {
            errors.add("memory: " + e.getMessage());
            Runtime rt = Runtime.getRuntime();
            total = rt.maxMemory();
            free = rt.freeMemory();
            available = free;
        }
        long used = Math.max(0, total - free - buffers - cached);
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("total", total);
        m.put("available", available);
        m.put("used", used);
        m.put("usedPercent", total == 0 ? 0.0 : 100.0 * used / total);
        m.put("free", free);
        m.put("buffers", buffers);
        m.put("cached", cached);
        m.put("swapTotal", swapTotal);
        m.put("swapFree", swapFree);
        return m;
    }

    private static List<Map<String, Object>> cpus(Function<Path, String> read, List<String> errors) {
        List<Map<String, Object>> out = new ArrayList<>();
        try {
            Map<String, String> cur = new LinkedHashMap<>();
            // -1: keep the trailing empty line that ends the last processor's block.
            for (String line : (read.apply(Path.of("/proc/cpuinfo")) + "\n\n").split("\n", -1)) {
                if (line.isBlank()) {
                    if (!cur.isEmpty() && out.size() < MAX_CPUS) {
                        out.add(cpu(cur));
                    }
                    cur = new LinkedHashMap<>();
                    continue;
                }
                int colon = line.indexOf(':');
                if (colon > 0) {
                    cur.put(line.substring(0, colon).trim(), line.substring(colon + 1).trim());
                }
            }
        } catch (RuntimeException e) {
            errors.add("cpu: " + e.getMessage());
        }
        if (out.isEmpty()) {
            // No /proc (or an unknown shape): one entry per processor the JVM sees.
            int n = Runtime.getRuntime().availableProcessors();
            for (int i = 0; i < n && i < MAX_CPUS; i++) {
                out.add(cpu(Map.of("processor", Integer.toString(i))));
            }
        }
        return out;
    }

    private static Map<String, Object> cpu(Map<String, String> f) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("cpu", (int) number(f.get("processor")));
        c.put("vendorId", f.getOrDefault("vendor_id", ""));
        c.put("family", f.getOrDefault("cpu family", ""));
        c.put("model", f.getOrDefault("model", ""));
        c.put("stepping", (int) number(f.get("stepping")));
        c.put("physicalId", f.getOrDefault("physical id", ""));
        c.put("coreId", f.getOrDefault("core id", ""));
        c.put("cores", Math.max(1, (int) number(f.get("cpu cores"))));
        c.put("modelName", f.getOrDefault("model name", System.getProperty("os.arch", "")));
        c.put("mhz", decimal(f.get("cpu MHz")));
        String cache = f.getOrDefault("cache size", "0").split("\\s+")[0];
        c.put("cacheSize", (int) number(cache));
        String flags = f.getOrDefault("flags", "").trim();
        c.put("flags", flags.isEmpty() ? List.of() : List.of(flags.split("\\s+")));
        c.put("microcode", f.getOrDefault("microcode", ""));
        return c;
    }

    private static Map<String, Object> host(Function<Path, String> read, List<String> errors) {
        Map<String, Object> h = new LinkedHashMap<>();
        String hostname = "";
        try {
            hostname = read.apply(Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (RuntimeException e) {
            try {
                hostname = java.net.InetAddress.getLocalHost().getHostName();
            } catch (IOException ex) {
                errors.add("host: " + ex.getMessage());
            }
        }
        long uptime = 0;
        try {
            uptime = (long) decimal(read.apply(Path.of("/proc/uptime")).trim().split("\\s+")[0]);
        } catch (RuntimeException e) {
            uptime = 0;
            errors.add("uptime: " + e.getMessage());
        }
        Map<String, String> osRelease = new LinkedHashMap<>();
        try {
            for (String line : read.apply(Path.of("/etc/os-release")).split("\n")) {
                int eq = line.indexOf('=');
                if (eq > 0) {
                    osRelease.put(line.substring(0, eq), line.substring(eq + 1).replace("\"", ""));
                }
            }
        } catch (RuntimeException e) {
            // Not Linux, or a minimal image: the platform stays empty, as gopsutil leaves it.
        }
        String hostId = "";
        try {
            hostId = read.apply(Path.of("/etc/machine-id")).trim();
        } catch (RuntimeException e) {
            // Optional: containers often have none.
        }
        h.put("hostname", hostname);
        h.put("uptime", uptime);
        h.put("bootTime", Math.max(0, System.currentTimeMillis() / 1000 - uptime));
        h.put("procs", ProcessHandle.allProcesses().limit(1_000_000).count());
        h.put("os", System.getProperty("os.name", "").toLowerCase(Locale.ROOT));
        h.put("platform", osRelease.getOrDefault("ID", ""));
        h.put("platformFamily", osRelease.getOrDefault("ID_LIKE", osRelease.getOrDefault("ID", "")));
        h.put("platformVersion", osRelease.getOrDefault("VERSION_ID", ""));
        h.put("kernelVersion", System.getProperty("os.version", ""));
        h.put("kernelArch", System.getProperty("os.arch", ""));
        h.put("virtualizationSystem", "");
        h.put("virtualizationRole", "");
        h.put("hostid", hostId);
        return h;
    }

    private static Map<String, Object> disk(Path dataDir, List<String> errors) {
        Map<String, Object> d = new LinkedHashMap<>();
        Path p = dataDir == null ? Path.of("/") : dataDir;
        long total = 0;
        long free = 0;
        String type = "";
        try {
            FileStore fs = Files.getFileStore(Files.exists(p) ? p : Path.of("/"));
            total = fs.getTotalSpace();
            free = fs.getUsableSpace();
            type = fs.type();
        } catch (IOException | RuntimeException e) {
            errors.add("disk: " + e.getMessage());
        }
        long used = Math.max(0, total - free);
        d.put("path", p.toString());
        d.put("fstype", type);
        d.put("total", total);
        d.put("free", free);
        d.put("used", used);
        d.put("usedPercent", total == 0 ? 0.0 : 100.0 * used / total);
        d.put("inodesTotal", 0);
        d.put("inodesUsed", 0);
        d.put("inodesFree", 0);
        d.put("inodesUsedPercent", 0.0);
        return d;
    }

    private static long number(String s) {
        if (s == null) {
            return 0;
        }
        try {
            return Long.parseLong(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static double decimal(String s) {
        if (s == null) {
            return 0;
        }
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            return 0;
        }
    }
}
