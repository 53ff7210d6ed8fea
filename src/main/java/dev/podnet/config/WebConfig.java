package dev.podnet.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * A web config file in the format of Prometheus' exporter-toolkit (TLS, basic authentication, response
 * headers, a rate limit for every HTTP endpoint), as {@link WebConfigLoader} validated it. Paths in the
 * file are already resolved against the file's own directory.
 *
 * @param file      the web config file
 * @param tls       the TLS settings, or null: plain HTTP
 * @param users     user name to bcrypt hash; empty: no authentication
 * @param headers   headers added to every response
 * @param rateLimit the request rate limit, or null: none
 */
public record WebConfig(Path file, Tls tls, Map<String, String> users, Map<String, String> headers, RateLimit rateLimit) {

    public WebConfig {
        users = Map.copyOf(users);
        headers = Map.copyOf(headers);
    }

    /** The other files the config names (certificate, key, client CAs): a change to any of them is a reload. */
    public List<Path> referencedFiles() {
        if (tls == null) {
            return List.of();
        }
        return Stream.of(tls.cert(), tls.key(), tls.clientCa()).filter(p -> p != null && p.file() != null)
                .map(Pem::file).toList();
    }

    /**
     * @param cert                     the server's certificate chain (leaf first)
     * @param key                      its private key
     * @param clientCa                 the CAs client certificates are verified against, or null
     * @param clientAuth               whether a client certificate is asked for, required, verified
     * @param clientAllowedSans        a client certificate must carry one of these SANs; null: any
     * @param minVersion               lowest TLS version accepted
     * @param maxVersion               highest TLS version accepted
     * @param cipherSuites             the TLS 1.2 cipher suites, by IANA name; empty: the JVM's defaults
     * @param preferServerCipherSuites pick the server's preferred suite rather than the client's
     * @param curvePreferences         the key exchange groups (JSSE names), in order; empty: the JVM's defaults
     */
    public record Tls(Pem cert, Pem key, Pem clientCa, ClientAuth clientAuth, List<String> clientAllowedSans,
                      TlsVersion minVersion, TlsVersion maxVersion, List<String> cipherSuites,
                      boolean preferServerCipherSuites, List<String> curvePreferences) {
    }

    /** PEM text from a file ({@code cert_file}) or given inline ({@code cert}); exactly one is set. */
    public record Pem(String field, Path file, String inline) {
        /** How an error names it: {@code cert_file /etc/podnet-web/tls.crt} or {@code cert (inline)}. */
        public String describe() {
            return file != null ? field + " " + file : field + " (inline)";
        }
    }

    /** exporter-toolkit's names, which are those of Go's crypto/tls ClientAuthType. */
    public enum ClientAuth {
        NoClientCert, RequestClientCert, RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert;

        /** Whether a client certificate, when one is sent, must chain to the client CAs. */
        public boolean verifies() {
            return this == VerifyClientCertIfGiven || this == RequireAndVerifyClientCert;
        }

        /** Whether a connection without a client certificate is refused. */
        public boolean requires() {
            return this == RequireAnyClientCert || this == RequireAndVerifyClientCert;
        }
    }

    public enum TlsVersion {
        TLS12("TLSv1.2"), TLS13("TLSv1.3");

        private final String protocol;

        TlsVersion(String protocol) {
            this.protocol = protocol;
        }

        /** The JSSE protocol name. */
        public String protocol() {
            return protocol;
        }
    }

    /** A token bucket: one request per {@code interval}, up to {@code burst} at once. */
    public record RateLimit(Duration interval, int burst) {
    }
}
