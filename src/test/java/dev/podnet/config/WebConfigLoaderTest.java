package dev.podnet.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.config.WebConfig.ClientAuth;
import dev.podnet.config.WebConfig.TlsVersion;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** exporter-toolkit's web config format (docs/web-configuration.md), read as the toolkit reads it. */
class WebConfigLoaderTest {
    private static final Path FILE = Path.of("/etc/podnet-web/web-config.yml");
    private static final String HASH = "$2y$10$mDwo.lAisC94iLAyP81MCesa29IzH37oigHC/42V2pdJlUprsJPze";

    private static WebConfig parse(String yaml) throws ConfigException {
        return WebConfigLoader.parse(yaml, FILE);
    }

    private static String refused(String yaml) {
        return assertThrows(ConfigException.class, () -> parse(yaml), yaml).getMessage();
    }

    @Test
    void theToolkitsSampleReadsWithPathsFromTheFilesDirectoryAndItsDefaults() throws Exception {
        WebConfig c = parse("""
                tls_server_config:
                  cert_file: server.crt
                  key_file: /abs/server.key
                basic_auth_users:
                  alice: %s
                rate_limit:
                  interval: "1s"
                  burst: 20
                """.formatted(HASH));
        assertEquals(Path.of("/etc/podnet-web/server.crt"), c.tls().cert().file());
        assertEquals(Path.of("/abs/server.key"), c.tls().key().file());
        assertEquals(ClientAuth.NoClientCert, c.tls().clientAuth());
        assertEquals(TlsVersion.TLS12, c.tls().minVersion());
        assertEquals(TlsVersion.TLS13, c.tls().maxVersion());
        assertTrue(c.tls().preferServerCipherSuites());
        assertNull(c.tls().clientAllowedSans());
        assertEquals(Map.of("alice", HASH), c.users());
        assertEquals(new WebConfig.RateLimit(Duration.ofSeconds(1), 20), c.rateLimit());
        assertEquals(List.of(FILE.getParent().resolve("server.crt"), Path.of("/abs/server.key")), c.referencedFiles());
    }

    @Test
    void anEmptyFileIsPlainHttpWithoutAuthentication() throws Exception {
        for (String yaml : List.of("", "tls_server_config:\nbasic_auth_users:\n", "tls_server_config: {min_version: TLS13}\n")) {
            WebConfig c = parse(yaml);
            assertNull(c.tls(), yaml);
            assertTrue(c.users().isEmpty());
            assertNull(c.rateLimit());
        }
    }

    @Test
    void everyTlsFieldOfTheToolkitIsRead() throws Exception {
        WebConfig c = parse("""
                tls_server_config:
                  cert: |
                    -----BEGIN CERTIFICATE-----
                    -----END CERTIFICATE-----
                  key_file: k.pem
                  client_auth_type: RequireClientCert
                  client_ca_file: ca.pem
                  client_allowed_sans: [scraper.example, 10.0.0.1]
                  min_version: TLS13
                  max_version: TLS13
                  cipher_suites: [TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256]
                  prefer_server_cipher_suites: false
                  curve_preferences: [X25519, CurveP256]
                http_server_config:
                  http2: false
                  headers:
                    X-Content-Type-Options: nosniff
                    Content-Security-Policy: ""
                """);
        assertTrue(c.tls().cert().inline().startsWith("-----BEGIN CERTIFICATE-----"));
        assertEquals("cert (inline)", c.tls().cert().describe());
        assertEquals(ClientAuth.RequireAnyClientCert, c.tls().clientAuth(), "the toolkit's older name");
        assertEquals(List.of("scraper.example", "10.0.0.1"), c.tls().clientAllowedSans());
        assertEquals(TlsVersion.TLS13, c.tls().minVersion());
        assertEquals(List.of("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"), c.tls().cipherSuites());
        assertEquals(List.of("x25519", "secp256r1"), c.tls().curvePreferences());
        assertEquals(Map.of("X-Content-Type-Options", "nosniff"), c.headers(), "a blank header is unset");
        assertEquals(List.of(FILE.getParent().resolve("k.pem"), FILE.getParent().resolve("ca.pem")), c.referencedFiles());
    }

    @Test
    void unknownFieldsAreRefusedByName() {
        assertTrue(refused("tls_server_config:\n  cert_filse: server.crt\n")
                .startsWith("tls_server_config.cert_filse: unknown field (known fields: cert, key,"));
        assertTrue(refused("tls_config:\n  cert_file: x\n").startsWith("tls_config: unknown field (known fields: tls_server_config,"));
        assertTrue(refused("http_server_config:\n  http3: true\n").startsWith("http_server_config.http3: unknown field"));
        assertTrue(refused("rate_limit:\n  every: 1s\n").startsWith("rate_limit.every: unknown field"));
        assertTrue(refused("basic_auth_users:\n  a: " + HASH + "\n  a: " + HASH + "\n").contains("Duplicate field 'a'"));
    }

    @Test
    void tlsSettingsThatCannotWorkAreRefusedAsTheToolkitRefusesThem() {
        assertEquals("tls_server_config: missing one of cert or cert_file", refused("tls_server_config:\n  key_file: k\n"));
        assertEquals("tls_server_config: missing one of key or key_file", refused("tls_server_config:\n  cert_file: c\n"));
        assertTrue(refused("tls_server_config:\n  client_auth_type: RequireAndVerifyClientCert\n").contains("missing one of cert"),
                "client_auth_type alone turns TLS on");
        String tls = "tls_server_config:\n  cert_file: c\n  key_file: k\n";
        assertTrue(refused(tls + "  client_ca_file: ca\n").contains("client CAs are configured without a client_auth_type"));
        assertTrue(refused(tls + "  client_auth_type: VerifyClientCertIfGiven\n").contains("needs client_ca_file"));
        assertTrue(refused(tls + "  client_auth_type: Always\n").contains("\"Always\" is not one of NoClientCert, RequestClientCert, "
                + "RequireAnyClientCert, VerifyClientCertIfGiven, RequireAndVerifyClientCert"));
        assertTrue(refused(tls + "  min_version: TLS11\n").contains("TLS11 is not supported"));
        assertTrue(refused(tls + "  min_version: SSL3\n").contains("is not one of TLS12, TLS13"));
        assertTrue(refused(tls + "  min_version: TLS13\n  max_version: TLS12\n").contains("min_version TLS13 is above max_version TLS12"));
        assertTrue(refused(tls + "  curve_preferences: [P256]\n").contains("unknown curve \"P256\""));
        assertTrue(refused(tls + "  cert: inline\n").contains("set cert or cert_file, not both"));
        assertTrue(refused(tls + "  cipher_suites: TLS_AES_128_GCM_SHA256\n").contains("cipher_suites: expected a list"));
        assertTrue(refused(tls + "  prefer_server_cipher_suites: maybe\n").contains("expected true or false"));
    }

    @Test
    void usersNeedBcryptHashesAndTheErrorDoesNotRepeatTheValue() {
        String message = refused("basic_auth_users:\n  alice: hunter2\n");
        assertTrue(message.startsWith("basic_auth_users.alice: not a bcrypt hash"), message);
        assertTrue(!message.contains("hunter2"), message);
        assertTrue(refused("basic_auth_users:\n  alice: $2y$03$mDwo.lAisC94iLAyP81MCesa29IzH37oigHC/42V2pdJlUprsJPze\n")
                .contains("cost 04-31"), "cost below bcrypt's minimum");
        assertTrue(refused("basic_auth_users: [alice]\n").contains("expected a mapping of user name to bcrypt hash, got a list"));
        assertTrue(refused("basic_auth_users:\n  alice: [x]\n").contains("basic_auth_users.alice: expected a bcrypt hash, got a list"));
    }

    @Test
    void onlyTheToolkitsHeadersAndValuesAreAccepted() {
        assertTrue(refused("http_server_config:\n  headers:\n    Server: podnet\n")
                .startsWith("http_server_config.headers.Server: this header can not be configured"));
        assertTrue(refused("http_server_config:\n  headers:\n    X-Frame-Options: allow\n")
                .contains("\"allow\" is not one of deny, sameorigin"));
        assertTrue(refused("http_server_config:\n  http2: yes-please\n").contains("http_server_config.http2: expected true or false"));
    }

    @Test
    void rateLimitTakesGoDurations() throws Exception {
        assertEquals(Duration.ofMillis(90_500), WebConfigLoader.goDuration("f", "1m30s500ms"));
        assertEquals(Duration.ofMillis(1500), WebConfigLoader.goDuration("f", "1.5s"));
        assertEquals(Duration.ofMillis(250), WebConfigLoader.goDuration("f", "250ms"));
        assertEquals(Duration.ZERO, WebConfigLoader.goDuration("f", "0"));
        assertNull(parse("rate_limit:\n  interval: 0\n  burst: 5\n").rateLimit(), "0 turns the limiter off");
        assertTrue(refused("rate_limit:\n  interval: 1 s\n  burst: 5\n").contains("rate_limit.interval: \"1 s\" is not a duration"));
        assertTrue(refused("rate_limit:\n  interval: 1s\n").contains("rate_limit.burst: must be at least 1"));
        assertTrue(refused("rate_limit:\n  interval: 1s\n  burst: -1\n").contains("rate_limit.burst: expected a whole number"));
    }

    @Test
    void aFileThatCannotBeReadIsNamed(@org.junit.jupiter.api.io.TempDir Path dir) {
        Path absent = dir.resolve("web.yml");
        String message = assertThrows(ConfigException.class, () -> WebConfigLoader.load(absent)).getMessage();
        assertEquals("web config file " + absent + ": cannot read it: it does not exist", message);
    }
}
