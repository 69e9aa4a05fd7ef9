package io.tribune.launcher;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * The CLI's TLS for HTTPS calls to the agent (config feature): trust in {@code -ca-file} (else
 * the JDK's CAs), a client certificate from {@code -client-cert}/{@code -client-key}, and the
 * server's certificate checked against {@code -tls-server-name} (else the address's host).
 * Files are PEM; keys PKCS#8 ({@code BEGIN PRIVATE KEY}), RSA or EC. Stateless; thread-safe.
 */
final class HttpsClient {
    /** Largest PEM file read, in bytes: a certificate chain is a few KiB. */
    private static final long MAX_PEM_BYTES = 1 << 20;

    /**
     * @param caFile     PEM CA certificates, or null for the JDK's trust store
     * @param clientCert PEM client certificate chain, or null
     * @param clientKey  PEM PKCS#8 key of {@code clientCert}, or null
     * @param serverName the name the server's certificate must carry, or null for the address's host
     */
    record Settings(String caFile, String clientCert, String clientKey, String serverName) {
        static final Settings NONE = new Settings(null, null, null, null);

        /** Whether any TLS setting is given (which implies HTTPS for a bare address). */
        boolean any() {
            return caFile != null || clientCert != null || clientKey != null;
        }
    }

    private HttpsClient() {
    }

    /**
     * An SSL context for {@code s}.
     *
     * @throws IllegalArgumentException naming the file and the reason when a file is missing or not PEM,
     *                                  or only one of client certificate and key is given
     */
    static SSLContext context(Settings s) {
        if ((s.clientCert() == null) != (s.clientKey() == null)) {
            throw new IllegalArgumentException("-client-cert and -client-key must be given together");
        }
        try {
            TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            if (s.caFile() != null) {
                KeyStore ts = KeyStore.getInstance("PKCS12");
                ts.load(null, null);
                int i = 0;
                for (X509Certificate c : certificates(s.caFile(), "-ca-file")) {
                    ts.setCertificateEntry("ca" + i++, c);
                }
                tmf.init(ts);
            } else {
                tmf.init((KeyStore) null);
            }
            X509TrustManager base = null;
            for (TrustManager tm : tmf.getTrustManagers()) {
                if (tm instanceof X509TrustManager x) {
                    base = x;
                }
            }
            javax.net.ssl.KeyManager[] kms = null;
            if (s.clientCert() != null) {
                List<X509Certificate> chain = certificates(s.clientCert(), "-client-cert");
                PrivateKey key = privateKey(s.clientKey());
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                char[] pw = new char[0];
                ks.setKeyEntry("client", key, pw, chain.toArray(Certificate[]::new));
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, pw);
                kms = kmf.getKeyManagers();
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kms, new TrustManager[] {new NameChecking(base, s.serverName())}, null);
            return ctx;
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalArgumentException("cannot set up TLS: " + e.getMessage(), e);
        }
    }

    private static byte[] read(String file, String flag) {
        Path p = Path.of(file);
        try {
            if (!Files.isRegularFile(p)) {
                throw new IllegalArgumentException(flag + " " + file + " does not exist or is not a file");
            }
            if (Files.size(p) > MAX_PEM_BYTES) {
                throw new IllegalArgumentException(flag + " " + file + " is larger than 1 MiB");
            }
            return Files.readAllBytes(p);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + flag + " " + file + ": " + e.getMessage(), e);
        }
    }

    private static List<X509Certificate> certificates(String file, String flag) {
        try {
            Collection<? extends Certificate> cs = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(read(file, flag)));
            List<X509Certificate> out = new ArrayList<>();
            cs.forEach(c -> out.add((X509Certificate) c));
            if (out.isEmpty()) {
                throw new IllegalArgumentException(flag + " " + file + " holds no PEM certificate");
            }
            return out;
        } catch (CertificateException e) {
            throw new IllegalArgumentException(flag + " " + file + " is not a PEM certificate: " + e.getMessage(), e);
        }
    }

    private static PrivateKey privateKey(String file) {
        String pem = new String(read(file, "-client-key"), StandardCharsets.US_ASCII);
        int b = pem.indexOf("-----BEGIN PRIVATE KEY-----");
        int e = pem.indexOf("-----END PRIVATE KEY-----");
        if (b < 0 || e < b) {
            throw new IllegalArgumentException("-client-key " + file + " is not a PEM PKCS#8 key (BEGIN PRIVATE KEY); "
                    + "convert it with 'openssl pkcs8 -topk8 -nocrypt'");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(pem.substring(b + 27, e));
        } catch (IllegalArgumentException x) {
            throw new IllegalArgumentException("-client-key " + file + " is not valid base64 PEM", x);
        }
        for (String alg : List.of("RSA", "EC", "Ed25519")) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException ignored) {
                // Try the next algorithm: PKCS#8 names it, but KeyFactory needs it up front.
            }
        }
        throw new IllegalArgumentException("-client-key " + file + " is not an RSA, EC or Ed25519 key");
    }

    /**
     * Checks the chain with the JDK's PKIX validation, then the certificate's names against the
     * expected server name: JSSE checks names only against the address's host, which
     * {@code -tls-server-name} must be able to replace.
     */
    private static final class NameChecking extends X509ExtendedTrustManager {
        private final X509TrustManager base;
        private final String serverName;

        NameChecking(X509TrustManager base, String serverName) {
            this.base = base;
            this.serverName = serverName;
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            base.checkServerTrusted(chain, authType);
            String expected = serverName != null ? serverName : engine == null ? null : engine.getPeerHost();
            if (expected != null) {
                checkName(chain[0], expected);
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            base.checkServerTrusted(chain, authType);
            String expected = serverName != null ? serverName : peerHost(socket);
            if (expected != null) {
                checkName(chain[0], expected);
            }
        }

        /**
         * The host the socket was opened for, as the URL names it ({@code HttpsURLConnection} passes it
         * to the socket factory): the address as typed, not a reverse lookup of it, so that an
         * {@code https://127.0.0.1:8501} address is checked against the certificate's IP names.
         */
        private static String peerHost(Socket socket) {
            if (socket instanceof SSLSocket s && s.getHandshakeSession() != null
                    && s.getHandshakeSession().getPeerHost() != null) {
                return s.getHandshakeSession().getPeerHost();
            }
            return socket == null || socket.getInetAddress() == null ? null : socket.getInetAddress().getHostAddress();
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            base.checkServerTrusted(chain, authType);
            if (serverName != null) {
                checkName(chain[0], serverName);
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
                throws CertificateException {
            base.checkClientTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
                throws CertificateException {
            base.checkClientTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            base.checkClientTrusted(chain, authType);
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return base.getAcceptedIssuers();
        }
    }

    /** The certificate names {@code expected}: a DNS name (a leading {@code *.} matches one label) or an IP address. */
    static void checkName(X509Certificate cert, String expected) throws CertificateException {
        String want = expected.toLowerCase(Locale.ROOT);
        boolean ip = want.matches("[0-9.]+") || want.contains(":");
        Collection<List<?>> sans;
        try {
            sans = cert.getSubjectAlternativeNames();
        } catch (CertificateParsingException e) {
            throw new CertificateException("cannot read the certificate's names: " + e.getMessage(), e);
        }
        List<String> names = new ArrayList<>();
        if (sans != null) {
            for (List<?> san : sans) {
                int type = (Integer) san.get(0);
                String v = String.valueOf(san.get(1)).toLowerCase(Locale.ROOT);
                names.add(v);
                if (ip && type == 7 && sameAddress(v, want)) {
                    return;
                }
                if (!ip && type == 2 && (v.equals(want)
                        || (v.startsWith("*.") && want.indexOf('.') > 0 && want.substring(want.indexOf('.')).equals(v.substring(1))))) {
                    return;
                }
            }
        }
        throw new CertificateException("the agent's certificate is not valid for " + expected + " (it names "
                + (names.isEmpty() ? "nothing" : String.join(", ", names)) + "); set -tls-server-name to one of them");
    }

    private static boolean sameAddress(String a, String b) {
        try {
            return InetAddress.getByName(a).equals(InetAddress.getByName(b));
        } catch (IOException e) {
            return false;
        }
    }
}
