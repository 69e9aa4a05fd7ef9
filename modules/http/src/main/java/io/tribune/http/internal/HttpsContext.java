package io.tribune.http.internal;

import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.tribune.agent.config.ConfigException;
import io.tribune.agent.config.ConfigKeys;
import javax.net.ssl.SSLException;

/**
 * The TLS context of the HTTPS listener (config feature): the agent's {@code cert_file} and
 * {@code key_file}, TLS 1.2 and 1.3 only, and with {@code verify_incoming_https} a client
 * certificate required that chains to {@code ca_file}. Stateless; thread-safe.
 */
public final class HttpsContext {
    /** The protocols offered: TLS 1.2 and 1.3 (older ones are broken or deprecated, RFC 8996). */
    static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};

    private HttpsContext() {
    }

    /**
     * Builds the server context.
     *
     * @throws ConfigException naming the files when they cannot be read as PEM certificate and key
     */
    public static SslContext server(ConfigKeys.Https https) {
        try {
            SslContextBuilder b = SslContextBuilder.forServer(https.certFile().toFile(), https.keyFile().toFile())
                    .protocols(PROTOCOLS);
            if (https.caFile().isPresent()) {
                b.trustManager(https.caFile().get().toFile());
            }
            b.clientAuth(https.verifyIncoming() ? ClientAuth.REQUIRE : ClientAuth.NONE);
            return b.build();
        } catch (SSLException | IllegalArgumentException e) {
            throw new ConfigException("HTTPS: cannot use cert_file " + https.certFile() + " and key_file "
                    + https.keyFile() + https.caFile().map(c -> " with ca_file " + c).orElse("") + ": "
                    + (e.getMessage() == null ? "unreadable" : e.getMessage()), e);
        }
    }
}
