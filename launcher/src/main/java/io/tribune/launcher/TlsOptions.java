package io.tribune.launcher;

import picocli.CommandLine.Option;

/**
 * The CLI's HTTPS flags, Consul's names (config feature): {@code -ca-file}, {@code -client-cert},
 * {@code -client-key}, {@code -tls-server-name}; each falls back to Consul's environment variable
 * ({@code CONSUL_CACERT}, {@code CONSUL_CLIENT_CERT}, {@code CONSUL_CLIENT_KEY},
 * {@code CONSUL_TLS_SERVER_NAME}). A picocli mixin of every command that calls the agent.
 */
final class TlsOptions {
    @Option(names = {"-ca-file", "--ca-file"}, paramLabel = "FILE",
            description = "PEM CA certificate(s) to verify the agent's HTTPS certificate (default: CONSUL_CACERT)")
    String caFile;
    @Option(names = {"-client-cert", "--client-cert"}, paramLabel = "FILE",
            description = "PEM client certificate for HTTPS with verify_incoming_https (default: CONSUL_CLIENT_CERT)")
    String clientCert;
    @Option(names = {"-client-key", "--client-key"}, paramLabel = "FILE",
            description = "PEM (PKCS#8) key of the client certificate (default: CONSUL_CLIENT_KEY)")
    String clientKey;
    @Option(names = {"-tls-server-name", "--tls-server-name"}, paramLabel = "NAME",
            description = "the name the agent's certificate must carry, if not the address's host "
                    + "(default: CONSUL_TLS_SERVER_NAME)")
    String serverName;

    /** The settings with the environment's defaults filled in; blank values count as unset. */
    HttpsClient.Settings settings() {
        return new HttpsClient.Settings(or(caFile, "CONSUL_CACERT"), or(clientCert, "CONSUL_CLIENT_CERT"),
                or(clientKey, "CONSUL_CLIENT_KEY"), or(serverName, "CONSUL_TLS_SERVER_NAME"));
    }

    private static String or(String flag, String env) {
        if (flag != null && !flag.isBlank()) {
            return flag;
        }
        String e = System.getenv(env);
        return e == null || e.isBlank() ? null : e;
    }
}
