package io.tribune.transport.grpc.internal;

import io.grpc.netty.GrpcSslContexts;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.tribune.api.transport.TransportSetup;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The server and client TLS contexts of one transport, built once from the PEM files of
 * {@link TransportSetup.Tls}.
 *
 * <p>Server: presents the node certificate; with {@code verifyIncoming} requires a client
 * certificate that chains to the CA. Client: presents the node certificate (so that servers with
 * {@code verifyIncoming} accept it) and checks the server through {@link PeerTrustManager}, which
 * applies {@code verifyOutgoing} and {@code verifyServerHostname} itself: the peer is dialled by IP,
 * so the usual host-name check against the dialled address is replaced by a check for the
 * configured {@code serverName} ({@code server.<dc>.<domain>}, as Consul names servers).
 */
final class TlsContexts {
    final SslContext server;
    final SslContext client;
    final TransportSetup.Tls settings;

    private TlsContexts(SslContext server, SslContext client, TransportSetup.Tls settings) {
        this.server = server;
        this.client = client;
        this.settings = settings;
    }

    /**
     * Reads and checks the files.
     *
     * @throws IllegalArgumentException naming the file that is missing, unreadable or invalid
     */
    static TlsContexts load(TransportSetup.Tls tls) {
        readable(tls.caFile(), "CA file");
        readable(tls.certFile(), "certificate file");
        readable(tls.keyFile(), "key file");
        if (tls.verifyServerHostname() && tls.serverName().isBlank()) {
            throw new IllegalArgumentException("TLS verify_server_hostname is on but no server name "
                    + "(server.<dc>.<domain>) is configured");
        }
        X509TrustManager ca = caTrustManager(tls.caFile());
        SslContext server;
        SslContext client;
        try {
            server = GrpcSslContexts.configure(SslContextBuilder.forServer(tls.certFile().toFile(),
                            tls.keyFile().toFile()))
                    .trustManager(ca)
                    .clientAuth(tls.verifyIncoming() ? ClientAuth.REQUIRE : ClientAuth.NONE)
                    .build();
            client = GrpcSslContexts.configure(SslContextBuilder.forClient())
                    .keyManager(tls.certFile().toFile(), tls.keyFile().toFile())
                    .trustManager(new PeerTrustManager(ca, tls.verifyOutgoing() || tls.verifyServerHostname(),
                            tls.verifyServerHostname() ? tls.serverName() : null))
                    .build();
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("TLS certificate file '" + tls.certFile() + "' or key file '"
                    + tls.keyFile() + "' is not a usable PEM certificate chain and PKCS#8 private key: "
                    + e.getMessage(), e);
        }
        return new TlsContexts(server, client, tls);
    }

    private static void readable(Path p, String what) {
        if (!Files.isRegularFile(p) || !Files.isReadable(p)) {
            throw new IllegalArgumentException("TLS " + what + " '" + p + "' is not a readable file");
        }
    }

    private static X509TrustManager caTrustManager(Path caFile) {
        try (InputStream in = Files.newInputStream(caFile)) {
            Collection<? extends java.security.cert.Certificate> certs =
                    CertificateFactory.getInstance("X.509").generateCertificates(in);
            if (certs.isEmpty()) {
                throw new IllegalArgumentException("TLS CA file '" + caFile + "' holds no certificate");
            }
            KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
            ks.load(null, null);
            int i = 0;
            for (java.security.cert.Certificate c : certs) {
                ks.setCertificateEntry("ca-" + i++, c);
            }
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            tmf.init(ks);
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) {
                    return x;
                }
            }
            throw new IllegalStateException("the JDK offers no X.509 trust manager");
        } catch (IOException | java.security.GeneralSecurityException e) {
            throw new IllegalArgumentException("TLS CA file '" + caFile + "' is not a PEM certificate file: "
                    + e.getMessage(), e);
        }
    }

    /**
     * Checks server certificates on the client side: the chain against the CA when
     * {@code verifyChain}, and the subject alternative names against {@code serverName} when set.
     * Being an {@link X509ExtendedTrustManager}, it replaces the JDK's own check of the dialled host
     * name, which does not apply to servers dialled by IP and named by role.
     */
    static final class PeerTrustManager extends X509ExtendedTrustManager {
        private final X509TrustManager ca;
        private final boolean verifyChain;
        private final String serverName;

        PeerTrustManager(X509TrustManager ca, boolean verifyChain, String serverName) {
            this.ca = ca;
            this.verifyChain = verifyChain;
            this.serverName = serverName;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            if (verifyChain) {
                ca.checkServerTrusted(chain, authType);
            }
            if (serverName != null) {
                List<String> names = dnsNames(chain[0]);
                boolean match = names.stream().anyMatch(n -> n.toLowerCase(Locale.ROOT)
                        .equals(serverName.toLowerCase(Locale.ROOT)));
                if (!match) {
                    throw new CertificateException("server certificate names " + names + " do not include '"
                            + serverName + "' (verify_server_hostname)");
                }
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            ca.checkClientTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            ca.checkClientTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            ca.checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return ca.getAcceptedIssuers();
        }

        private static List<String> dnsNames(X509Certificate cert) throws CertificateParsingException {
            List<String> out = new ArrayList<>();
            Collection<List<?>> sans = cert.getSubjectAlternativeNames();
            if (sans != null) {
                for (List<?> san : sans) {
                    // type 2 is dNSName (RFC 5280 §4.2.1.6)
                    if (san.size() >= 2 && Integer.valueOf(2).equals(san.get(0))) {
                        out.add(String.valueOf(san.get(1)));
                    }
                }
            }
            return out;
        }
    }
}
