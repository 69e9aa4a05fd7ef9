package io.tribune.dns.internal;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.util.Arrays;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The DNS listeners: one UDP socket and one TCP server socket on the same port, a receive thread
 * and an accept thread, and two bounded worker pools (UDP queries; TCP connections), so a flood
 * of slow TCP clients cannot starve UDP. A full pool drops the UDP query or closes the TCP
 * connection: the client retries, the server stays up.
 *
 * <p>TCP framing is RFC 1035 §4.2.2 (two-byte length prefix); a connection may send several
 * queries (RFC 7766 §6.2.1) and is closed after {@link DnsSettings#tcpIdleTimeout()} idle, after
 * {@link #MAX_QUERIES_PER_CONNECTION} queries, or on a query longer than
 * {@link DnsSettings#maxTcpQueryBytes()}.
 */
public final class DnsServer implements AutoCloseable {
    /** Queries served on one TCP connection before it is closed, bounding how long one client holds a worker. */
    public static final int MAX_QUERIES_PER_CONNECTION = 100;
    /** Receive buffer per UDP datagram: a query longer than the largest EDNS payload is cut and answered FORMERR. */
    static final int UDP_RECEIVE_BYTES = DnsResolver.MAX_UDP_BYTES;
    private static final System.Logger LOG = System.getLogger(DnsServer.class.getName());
    private static final int BIND_ATTEMPTS = 8;

    private final DnsResolver resolver;
    private final DnsSettings settings;
    private final ThreadPoolExecutor udpWorkers;
    private final ThreadPoolExecutor tcpWorkers;
    private final Set<Socket> connections = ConcurrentHashMap.newKeySet();
    private final AtomicLong dropped = new AtomicLong();
    private final AtomicLong answered = new AtomicLong();
    private DatagramSocket udp;
    private ServerSocket tcp;
    private Thread udpThread;
    private Thread tcpThread;
    private volatile boolean closed;

    /** Creates the pools; nothing listens until {@link #start}. */
    public DnsServer(DnsResolver resolver, DnsSettings settings) {
        this.resolver = resolver;
        this.settings = settings;
        this.udpWorkers = pool("tribune-dns-udp-", settings.udpWorkers(), settings.udpQueue());
        this.tcpWorkers = pool("tribune-dns-tcp-", settings.tcpWorkers(), settings.tcpQueue());
    }

    private static ThreadPoolExecutor pool(String prefix, int threads, int queue) {
        AtomicInteger n = new AtomicInteger();
        ThreadFactory f = r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
        return new ThreadPoolExecutor(threads, threads, 30, TimeUnit.SECONDS, new ArrayBlockingQueue<>(queue), f,
                new ThreadPoolExecutor.AbortPolicy());
    }

    /**
     * Binds UDP and TCP on {@code host:port} and starts serving. With port 0, picks a port free for
     * both protocols.
     *
     * @return the bound address (same port for UDP and TCP)
     * @throws IOException when the address cannot be bound
     */
    public synchronized InetSocketAddress start(String host, int port) throws IOException {
        if (udp != null || closed) {
            throw new IllegalStateException("the DNS server was already started");
        }
        InetAddress addr = InetAddress.getByName(host);
        IOException last = null;
        for (int attempt = 0; attempt < (port == 0 ? BIND_ATTEMPTS : 1); attempt++) {
            DatagramSocket u = new DatagramSocket(null);
            try {
                u.bind(new InetSocketAddress(addr, port));
                ServerSocket t = new ServerSocket();
                try {
                    t.setReuseAddress(true);
                    t.bind(new InetSocketAddress(addr, u.getLocalPort()), 128);
                } catch (IOException e) {
                    t.close();
                    throw e;
                }
                udp = u;
                tcp = t;
                break;
            } catch (BindException e) {
                u.close();
                last = e; // with port 0, the UDP port may be taken over TCP: try another
            } catch (IOException e) {
                u.close();
                throw e;
            }
        }
        if (udp == null) {
            throw last;
        }
        udpThread = new Thread(this::udpLoop, "tribune-dns-udp-receive");
        udpThread.setDaemon(true);
        udpThread.start();
        tcpThread = new Thread(this::acceptLoop, "tribune-dns-tcp-accept");
        tcpThread.setDaemon(true);
        tcpThread.start();
        return new InetSocketAddress(addr, udp.getLocalPort());
    }

    /** Queries dropped or connections refused because a pool was full or a packet was not answerable. */
    public long dropped() {
        return dropped.get();
    }

    /** Answers sent, over both protocols. */
    public long answered() {
        return answered.get();
    }

    private void udpLoop() {
        byte[] buf = new byte[UDP_RECEIVE_BYTES];
        while (!closed) {
            DatagramPacket p = new DatagramPacket(buf, buf.length);
            try {
                udp.receive(p);
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.WARNING, "dns udp receive failed: {0}", e.toString());
                }
                continue;
            }
            byte[] query = Arrays.copyOf(p.getData(), p.getLength());
            InetSocketAddress from = (InetSocketAddress) p.getSocketAddress();
            try {
                udpWorkers.execute(() -> answerUdp(query, from));
            } catch (RejectedExecutionException e) {
                dropped.incrementAndGet();
            }
        }
    }

    private void answerUdp(byte[] query, InetSocketAddress from) {
        try {
            Optional<byte[]> out = resolver.handle(query, false);
            if (out.isEmpty()) {
                dropped.incrementAndGet();
                return;
            }
            udp.send(new DatagramPacket(out.get(), out.get().length, from));
            answered.incrementAndGet();
        } catch (IOException | RuntimeException e) {
            // One bad query never takes the listener down.
            dropped.incrementAndGet();
            if (!closed) {
                LOG.log(System.Logger.Level.DEBUG, "dns udp answer to {0} failed: {1}", from, e.toString());
            }
        }
    }

    private void acceptLoop() {
        while (!closed) {
            Socket s;
            try {
                s = tcp.accept();
            } catch (IOException e) {
                if (!closed) {
                    LOG.log(System.Logger.Level.WARNING, "dns tcp accept failed: {0}", e.toString());
                }
                continue;
            }
            try {
                tcpWorkers.execute(() -> serveConnection(s));
            } catch (RejectedExecutionException e) {
                dropped.incrementAndGet();
                closeQuietly(s);
            }
        }
    }

    private void serveConnection(Socket s) {
        connections.add(s);
        try (s) {
            if (closed) {
                return;
            }
            s.setSoTimeout((int) settings.tcpIdleTimeout().toMillis());
            s.setTcpNoDelay(true);
            DataInputStream in = new DataInputStream(s.getInputStream());
            DataOutputStream out = new DataOutputStream(s.getOutputStream());
            for (int i = 0; i < MAX_QUERIES_PER_CONNECTION && !closed; i++) {
                int len = in.readUnsignedShort();
                if (len < 1 || len > settings.maxTcpQueryBytes()) {
                    dropped.incrementAndGet();
                    return;
                }
                byte[] query = in.readNBytes(len);
                if (query.length != len) {
                    return;
                }
                Optional<byte[]> answer = resolver.handle(query, true);
                if (answer.isEmpty()) {
                    dropped.incrementAndGet();
                    return;
                }
                out.writeShort(answer.get().length);
                out.write(answer.get());
                out.flush();
                answered.incrementAndGet();
            }
        } catch (EOFException | SocketTimeoutException e) {
            // the client is done, or idle too long
        } catch (SocketException e) {
            // closed by close() or by the peer
        } catch (IOException | RuntimeException e) {
            if (!closed) {
                LOG.log(System.Logger.Level.DEBUG, "dns tcp connection failed: {0}", e.toString());
            }
        } finally {
            connections.remove(s);
        }
    }

    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception e) {
            // nothing left to release
        }
    }

    /** Closes the sockets and stops every thread (waits up to a few seconds); idempotent. */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        if (udp != null) {
            udp.close();
        }
        if (tcp != null) {
            closeQuietly(tcp);
        }
        for (Socket s : connections) {
            closeQuietly(s);
        }
        udpWorkers.shutdownNow();
        tcpWorkers.shutdownNow();
        try {
            if (udpThread != null) {
                udpThread.join(5000);
            }
            if (tcpThread != null) {
                tcpThread.join(5000);
            }
            udpWorkers.awaitTermination(5, TimeUnit.SECONDS);
            tcpWorkers.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
