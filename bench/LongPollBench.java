import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Holds N blocking queries (HTTP long-polls on distinct keys) open against an agent, reports the
 * agent's threads, RSS and heap while it holds them, then measures write-to-wake latency of single
 * waiters and checks that no other waiter woke.
 *
 * Usage: java bench/LongPollBench.java HTTP_PORT AGENT_PID [N] [SAMPLES]
 */
public class LongPollBench {
    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        long pid = Long.parseLong(args[1]);
        int n = args.length > 2 ? Integer.parseInt(args[2]) : 10_000;
        int samples = args.length > 3 ? Integer.parseInt(args[3]) : 30;
        HttpClient http = HttpClient.newHttpClient();
        String base = "http://127.0.0.1:" + port;

        // 1. n keys, written 64 per transaction.
        for (int i = 0; i < n; i += 64) {
            StringBuilder sb = new StringBuilder("[");
            for (int j = i; j < Math.min(n, i + 64); j++) {
                if (j > i) sb.append(',');
                sb.append("{\"KV\":{\"Verb\":\"set\",\"Key\":\"lp/").append(j).append("\",\"Value\":\"MA==\"}}");
            }
            sb.append(']');
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/txn"))
                    .PUT(HttpRequest.BodyPublishers.ofString(sb.toString())).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) throw new IllegalStateException("txn failed: " + r.statusCode() + " " + r.body());
        }
        // 2. each key's ModifyIndex.
        long[] index = new long[n];
        String all = http.send(HttpRequest.newBuilder(URI.create(base + "/v1/kv/lp/?recurse")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        Matcher m = Pattern.compile("\"Key\":\"lp/(\\d+)\".*?\"ModifyIndex\":(\\d+)").matcher(all);
        int found = 0;
        while (m.find()) { index[Integer.parseInt(m.group(1))] = Long.parseLong(m.group(2)); found++; }
        if (found != n) throw new IllegalStateException("expected " + n + " keys, found " + found);

        // 3. n long-polls, one connection each.
        Selector sel = Selector.open();
        SocketChannel[] ch = new SocketChannel[n];
        for (int i = 0; i < n; i++) {
            ch[i] = SocketChannel.open(new InetSocketAddress("127.0.0.1", port));
            ch[i].configureBlocking(false);
            String req = "GET /v1/kv/lp/" + i + "?index=" + index[i] + "&wait=10m HTTP/1.1\r\nHost: bench\r\n\r\n";
            ByteBuffer b = ByteBuffer.wrap(req.getBytes(StandardCharsets.US_ASCII));
            while (b.hasRemaining()) ch[i].write(b);
            ch[i].register(sel, SelectionKey.OP_READ, i);
        }
        Thread.sleep(3000);
        int early = sel.selectNow();
        String status = Files.readString(Path.of("/proc/" + pid + "/status"));
        System.out.printf("held=%d early_wakeups=%d agent_threads=%s agent_rss_mib=%d%n", n, early,
                field(status, "Threads"), Long.parseLong(field(status, "VmRSS").split("\\s+")[0]) / 1024);
        Process jcmd = new ProcessBuilder("jcmd", Long.toString(pid), "GC.heap_info").redirectErrorStream(true).start();
        String heap = new String(jcmd.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        for (String line : heap.split("\n")) {
            if (line.contains("total") && line.contains("used")) System.out.println("agent_heap: " + line.trim());
        }
        sel.selectedKeys().clear();

        // 4. write one key, time until its waiter answers; check nobody else woke.
        Random rnd = new Random(42);
        long[] lat = new long[samples];
        int others = 0;
        ByteBuffer buf = ByteBuffer.allocate(64 * 1024);
        for (int s = 0; s < samples; s++) {
            int k = rnd.nextInt(n);
            long t0 = System.nanoTime();
            http.send(HttpRequest.newBuilder(URI.create(base + "/v1/kv/lp/" + k))
                    .PUT(HttpRequest.BodyPublishers.ofString("v" + s)).build(), HttpResponse.BodyHandlers.discarding());
            boolean woke = false;
            while (!woke) {
                sel.select(10_000);
                for (SelectionKey key : sel.selectedKeys()) {
                    int who = (Integer) key.attachment();
                    buf.clear();
                    ((SocketChannel) key.channel()).read(buf);
                    if (who == k) {
                        woke = true;
                        lat[s] = System.nanoTime() - t0;
                    } else {
                        others++;
                    }
                    key.cancel();
                }
                sel.selectedKeys().clear();
            }
        }
        Arrays.sort(lat);
        System.out.printf("write_to_wake_ms p50=%.2f p99=%.2f max=%.2f samples=%d other_waiters_woken=%d%n",
                lat[samples / 2] / 1e6, lat[Math.min(samples - 1, (int) Math.ceil(samples * 0.99) - 1)] / 1e6,
                lat[samples - 1] / 1e6, samples, others);
        for (SocketChannel c : ch) c.close();
    }

    static String field(String status, String name) {
        for (String line : status.split("\n")) if (line.startsWith(name + ":")) return line.substring(name.length() + 1).trim();
        return "?";
    }
}
