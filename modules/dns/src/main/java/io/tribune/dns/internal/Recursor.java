package io.tribune.dns.internal;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.random.RandomGenerator;
import org.xbill.DNS.Flags;
import org.xbill.DNS.Message;

/**
 * Relays a query for a name outside the DNS domain to upstream servers, in the configured order,
 * each with its own timeout; the first well-formed answer wins. Blocking: runs on a DNS worker
 * thread; thread-safe (no shared socket).
 */
public final class Recursor {
    private static final int MAX_UDP_ANSWER = 65535;

    private final List<InetSocketAddress> upstreams;
    private final int timeoutMillis;
    private final RandomGenerator random;

    /**
     * @param upstreams where to send, tried in order
     * @param timeout   per upstream and per attempt
     * @param random    draws the query IDs sent upstream; must be thread-safe
     */
    public Recursor(List<InetSocketAddress> upstreams, Duration timeout, RandomGenerator random) {
        this.upstreams = List.copyOf(upstreams);
        this.timeoutMillis = (int) Math.max(1, timeout.toMillis());
        this.random = random;
    }

    /** Whether any upstream is configured. */
    public boolean enabled() {
        return !upstreams.isEmpty();
    }

    /**
     * Asks the upstreams; the answer carries the client's ID. Over UDP first; when the upstream
     * truncates and the client came over TCP, the same upstream is asked again over TCP so the
     * client gets the whole answer.
     *
     * @return the upstream's answer, empty when none answered in time
     */
    public Optional<Message> forward(Message query, boolean clientTcp) {
        int clientId = query.getHeader().getID();
        for (InetSocketAddress upstream : upstreams) {
            // A fresh random ID per upstream query, so that an off-path spoofer has to guess it
            // (RFC 5452 §4.3); the client's ID is restored on the way back.
            int id = random.nextInt(0x10000);
            Message q = query.clone();
            q.getHeader().setID(id);
            byte[] wire = q.toWire();
            try {
                Optional<Message> answer = udp(upstream, wire, id);
                if (answer.isPresent() && answer.get().getHeader().getFlag(Flags.TC) && clientTcp) {
                    answer = tcp(upstream, wire, id);
                }
                if (answer.isPresent()) {
                    answer.get().getHeader().setID(clientId);
                    return answer;
                }
            } catch (IOException e) {
                System.getLogger(Recursor.class.getName()).log(System.Logger.Level.DEBUG,
                        "dns recursor {0} failed: {1}", upstream, e.toString());
            }
        }
        return Optional.empty();
    }

    private Optional<Message> udp(InetSocketAddress upstream, byte[] wire, int id) throws IOException {
        try (DatagramSocket s = new DatagramSocket()) {
            s.setSoTimeout(timeoutMillis);
            s.connect(upstream);
            s.send(new DatagramPacket(wire, wire.length));
            byte[] buf = new byte[MAX_UDP_ANSWER];
            long deadline = System.nanoTime() + timeoutMillis * 1_000_000L;
            while (true) {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                try {
                    s.receive(p);
                } catch (SocketTimeoutException e) {
                    return Optional.empty();
                }
                Optional<Message> m = parseAnswer(buf, p.getLength(), id);
                if (m.isPresent()) {
                    return m;
                }
                // A stray or forged datagram: keep waiting for the real answer until the deadline.
                int left = (int) ((deadline - System.nanoTime()) / 1_000_000L);
                if (left <= 0) {
                    return Optional.empty();
                }
                s.setSoTimeout(left);
            }
        }
    }

    private Optional<Message> tcp(InetSocketAddress upstream, byte[] wire, int id) throws IOException {
        try (Socket s = new Socket()) {
            s.connect(upstream, timeoutMillis);
            s.setSoTimeout(timeoutMillis);
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            out.writeShort(wire.length);
            out.write(wire);
            out.flush();
            DataInputStream in = new DataInputStream(s.getInputStream());
            int len = in.readUnsignedShort();
            byte[] buf = in.readNBytes(len);
            if (buf.length != len) {
                return Optional.empty();
            }
            return parseAnswer(buf, len, id);
        } catch (SocketTimeoutException e) {
            return Optional.empty();
        }
    }

    private static Optional<Message> parseAnswer(byte[] buf, int len, int id) {
        try {
            byte[] copy = java.util.Arrays.copyOf(buf, len);
            Message m = new Message(copy);
            if (m.getHeader().getID() != id || !m.getHeader().getFlag(Flags.QR)) {
                return Optional.empty();
            }
            return Optional.of(m);
        } catch (IOException e) {
            return Optional.empty();
        }
    }
}
