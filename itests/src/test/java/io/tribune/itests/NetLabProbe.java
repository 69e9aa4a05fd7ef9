package io.tribune.itests;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A tiny TCP program that {@link NetLabIT} runs inside a namespace of a {@link NetLab} (with the
 * test JVM's own {@code java}): {@code listen ADDR PORT} answers every connection with "hello" and
 * closes it, until killed; {@code connect ADDR PORT MILLIS} prints what it read, or "no answer",
 * and exits 0 or 1.
 */
final class NetLabProbe {
    private NetLabProbe() {
    }

    public static void main(String[] args) throws IOException {
        String addr = args[1];
        int port = Integer.parseInt(args[2]);
        if (args[0].equals("listen")) {
            try (ServerSocket s = new ServerSocket(port, 50, InetAddress.getByName(addr))) {
                System.out.println("listening");
                System.out.flush();
                while (true) {
                    try (Socket c = s.accept(); OutputStream out = c.getOutputStream()) {
                        out.write("hello\n".getBytes(StandardCharsets.UTF_8));
                    }
                }
            }
        }
        int millis = Integer.parseInt(args[3]);
        try (Socket c = new Socket()) {
            c.connect(new InetSocketAddress(addr, port), millis);
            c.setSoTimeout(millis);
            InputStream in = c.getInputStream();
            System.out.print(new String(in.readNBytes(6), StandardCharsets.UTF_8));
            System.exit(0);
        } catch (IOException e) {
            System.out.println("no answer: " + e);
            System.exit(1);
        }
    }
}
