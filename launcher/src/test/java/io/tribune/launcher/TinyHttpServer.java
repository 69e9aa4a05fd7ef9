package io.tribune.launcher;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import javax.net.ServerSocketFactory;

/**
 * A scripted HTTP/1.1 server for the client's tests: one connection per request ({@code Connection:
 * close}), the answer written raw by the test's handler, every request recorded. Serves on one
 * thread; a handler that blocks holds up the next request. Closing it closes the open connections.
 */
final class TinyHttpServer implements AutoCloseable {
    /** A request as received: the header names lower-cased. */
    record Request(String method, String target, Map<String, String> headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /** Writes the whole raw answer (status line, headers, body) for a request. */
    interface Handler {
        void answer(Request r, OutputStream out) throws IOException, InterruptedException;
    }

    private final ServerSocket server;
    private final Thread thread;
    private final List<Socket> open = new ArrayList<>();
    /** Requests in the order received. */
    final BlockingQueue<Request> requests = new LinkedBlockingQueue<>();

    TinyHttpServer(String host, ServerSocketFactory factory, Handler handler) throws IOException {
        server = factory.createServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getByName(host), 0));
        thread = new Thread(() -> serve(handler), "tiny-http");
        thread.setDaemon(true);
        thread.start();
    }

    TinyHttpServer(String host, Handler handler) throws IOException {
        this(host, ServerSocketFactory.getDefault(), handler);
    }

    /** {@code host:port} of the server. */
    String address() {
        return server.getInetAddress().getHostAddress() + ":" + server.getLocalPort();
    }

    /** A whole answer with a body and optional extra header lines ("Name: value"). */
    static byte[] answer(int status, String body, String... headers) {
        StringBuilder b = new StringBuilder("HTTP/1.1 " + status + " S\r\n");
        for (String h : headers) {
            b.append(h).append("\r\n");
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        b.append("Content-Length: ").append(bytes.length).append("\r\nConnection: close\r\n\r\n");
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(b.toString().getBytes(StandardCharsets.US_ASCII));
        out.writeBytes(bytes);
        return out.toByteArray();
    }

    private void serve(Handler handler) {
        while (!server.isClosed()) {
            try (Socket s = server.accept()) {
                synchronized (open) {
                    open.add(s);
                }
                Request r = read(s.getInputStream());
                requests.add(r);
                handler.answer(r, s.getOutputStream());
                s.getOutputStream().flush();
            } catch (IOException | InterruptedException e) {
                // A refused handshake or a closed socket: serve the next connection.
            }
        }
    }

    private static Request read(InputStream in) throws IOException {
        String[] start = line(in).split(" ");
        Map<String, String> headers = new TreeMap<>();
        for (String l = line(in); !l.isEmpty(); l = line(in)) {
            int c = l.indexOf(':');
            headers.put(l.substring(0, c).trim().toLowerCase(Locale.ROOT), l.substring(c + 1).trim());
        }
        int n = Integer.parseInt(headers.getOrDefault("content-length", "0"));
        return new Request(start[0], start[1], headers, in.readNBytes(n));
    }

    private static String line(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c = in.read(); c != '\n'; c = in.read()) {
            if (c < 0) {
                throw new IOException("connection closed in the request's head");
            }
            if (c != '\r') {
                b.write(c);
            }
        }
        return b.toString(StandardCharsets.US_ASCII);
    }

    @Override
    public void close() throws IOException {
        server.close();
        synchronized (open) {
            for (Socket s : open) {
                s.close();
            }
        }
    }
}
