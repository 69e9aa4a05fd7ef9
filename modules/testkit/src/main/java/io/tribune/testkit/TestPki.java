package io.tribune.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.concurrent.atomic.AtomicLong;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * A throw-away certificate authority for tests: EC P-256 keys, PEM files (certificates and PKCS#8
 * keys) written into a directory the test owns. Uses the JDK's signature provider; BouncyCastle only
 * builds the certificate structures.
 */
public final class TestPki {
    private static final AtomicLong SERIALS = new AtomicLong(System.nanoTime() & 0xffffffL);

    private final Path dir;
    private final String name;
    private final KeyPair caKeys;
    private final X500Name caSubject;
    /** The CA certificate, PEM. */
    public final Path caFile;

    /** A node's certificate and key files. */
    public record Leaf(Path certFile, Path keyFile) {
    }

    public TestPki(Path dir, String name) {
        this.dir = dir;
        this.name = name;
        this.caKeys = keyPair();
        this.caSubject = new X500Name("CN=" + name + " test CA");
        try {
            JcaX509v3CertificateBuilder b = builder(caSubject, caSubject, caKeys);
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
            caFile = writeCert(name + "-ca.pem", sign(b));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Issues a certificate for {@code commonName} naming {@code dnsNames} (and 127.0.0.1). */
    public Leaf issue(String commonName, String... dnsNames) {
        KeyPair keys = keyPair();
        try {
            JcaX509v3CertificateBuilder b = builder(caSubject, new X500Name("CN=" + commonName), keys);
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature));
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
                    new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
            GeneralName[] names = new GeneralName[dnsNames.length + 1];
            for (int i = 0; i < dnsNames.length; i++) {
                names[i] = new GeneralName(GeneralName.dNSName, dnsNames[i]);
            }
            names[dnsNames.length] = new GeneralName(GeneralName.iPAddress, "127.0.0.1");
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
            String base = name + "-" + commonName;
            Path cert = writeCert(base + ".pem", sign(b));
            Path key = dir.resolve(base + "-key.pem");
            Files.writeString(key, pem("PRIVATE KEY", keys.getPrivate().getEncoded()), StandardCharsets.US_ASCII);
            return new Leaf(cert, key);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private JcaX509v3CertificateBuilder builder(X500Name issuer, X500Name subject, KeyPair keys) {
        Instant now = Instant.now();
        return new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(SERIALS.incrementAndGet()),
                Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(Duration.ofDays(1))), subject,
                keys.getPublic());
    }

    private X509CertificateHolder sign(JcaX509v3CertificateBuilder b) {
        try {
            return b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate()));
        } catch (OperatorCreationException e) {
            throw new IllegalStateException(e);
        }
    }

    private Path writeCert(String file, X509CertificateHolder cert) throws IOException {
        Path p = dir.resolve(file);
        Files.writeString(p, pem("CERTIFICATE", cert.getEncoded()), StandardCharsets.US_ASCII);
        return p;
    }

    private static String pem(String type, byte[] der) {
        String body = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
        return "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n";
    }

    private static KeyPair keyPair() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
