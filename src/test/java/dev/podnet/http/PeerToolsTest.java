package dev.podnet.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.podnet.dashboards.PrometheusServer;
import dev.podnet.testing.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What other tools see: curl (OpenSSL) scrapes through TLS, basic auth and client certificates; promtool checks the result. */
class PeerToolsTest {
    @TempDir
    static Path dir;
    static TestPki pki;
    static String hash;

    @BeforeAll
    static void setUp() throws Exception {
        pki = TestPki.create(dir, "ca");
        pki.server("server", 0x1001, TestPki.KeyFormat.PKCS1_RSA);
        pki.client("client", 0x3001, "scraper.example");
        TestPki.create(dir, "other-ca").client("stranger", 0x4001, "scraper.example");
        hash = TestPki.bcrypt("prometheus", "s3cret");
    }

    private static Sh.Result curl(SecureServer s, String... args) {
        List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "30", "--cacert", pki.caCert.toString()));
        command.addAll(List.of(args));
        command.add(s.url("/metrics"));
        return Sh.tryRun(command);
    }

    @Test
    void curlWithTheCaAndThePasswordGetsMetricsThatPromtoolAccepts() throws Exception {
        try (SecureServer s = SecureServer.start(dir, "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
                + "basic_auth_users:\n  prometheus: " + hash + "\n")) {
            Sh.Result ok = curl(s, "--fail", "-u", "prometheus:s3cret");
            assertEquals(0, ok.exit(), ok.out());
            assertTrue(ok.out().contains(SecureServer.KNOWN_SERIES) && ok.out().contains("podnet_web_config_reloads_total"), ok.out());
            checkWithPromtool(dir, ok.out());

            Sh.Result wrong = curl(s, "-o", "/dev/null", "-w", "%{http_code}", "-u", "prometheus:guess");
            assertEquals("401", wrong.out().strip());
            Sh.Result none = curl(s, "-o", "/dev/null", "-w", "%{http_code}");
            assertEquals("401", none.out().strip());
            Sh.Result plain = Sh.tryRun(List.of("curl", "-sS", "--max-time", "30", "-u", "prometheus:s3cret",
                    "http://127.0.0.1:" + s.server.port() + "/metrics"));
            assertNotEquals(0, plain.exit(), "plain HTTP to the HTTPS port: " + plain.out());
            assertTrue(!plain.out().contains(SecureServer.KNOWN_SERIES), plain.out());
        }
    }

    @Test
    void curlWithAClientCertificateFromTheCaGetsInAndOthersDoNot() throws Exception {
        try (SecureServer s = SecureServer.start(dir, "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
                + "  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n")) {
            Sh.Result ok = curl(s, "--fail", "--cert", dir.resolve("client.crt").toString(), "--key", dir.resolve("client.key").toString());
            assertEquals(0, ok.exit(), ok.out());
            assertTrue(ok.out().contains(SecureServer.KNOWN_SERIES), ok.out());
            Sh.Result stranger = curl(s, "--fail", "--cert", dir.resolve("stranger.crt").toString(), "--key", dir.resolve("stranger.key").toString());
            assertNotEquals(0, stranger.exit(), stranger.out());
            Sh.Result none = curl(s, "--fail");
            assertNotEquals(0, none.exit(), none.out());
            assertTrue(!none.out().contains(SecureServer.KNOWN_SERIES));
        }
    }

    @Test
    void aRealPrometheusScrapesThroughTlsAndBasicAuthAndIsRefusedWithAWrongPassword() throws Exception {
        assertTrue(Files.isExecutable(PrometheusServer.BINARY), "no " + PrometheusServer.BINARY + ": scripts/install-deps installs it");
        try (SecureServer s = SecureServer.start(dir, "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
                + "basic_auth_users:\n  prometheus: " + hash + "\n")) {
            String target = "127.0.0.1:" + s.server.port();
            String config = """
                    global:
                      scrape_interval: 1s
                      scrape_timeout: 1s
                    scrape_configs:
                      - job_name: podnet
                        scheme: https
                        tls_config: {ca_file: %1$s, server_name: localhost}
                        basic_auth: {username: prometheus, password: s3cret}
                        static_configs: [{targets: ["%2$s"]}]
                      - job_name: wrong-password
                        scheme: https
                        tls_config: {ca_file: %1$s}
                        basic_auth: {username: prometheus, password: guess}
                        static_configs: [{targets: ["%2$s"]}]
                    """.formatted(pki.caCert, target);
            try (PrometheusServer prometheus = PrometheusServer.start(config)) {
                List<JsonNode> scraped = awaitVector(prometheus, SecureServer.KNOWN_SERIES + "{job=\"podnet\"}");
                assertEquals(1, scraped.getFirst().path("value").get(1).asDouble(), 0.0, scraped.toString());
                List<JsonNode> refused = awaitVector(prometheus, "up{job=\"wrong-password\"}");
                assertEquals("0", refused.getFirst().path("value").get(1).asText(), "a wrong password is no scrape: " + refused);
                assertTrue(prometheus.vector(SecureServer.KNOWN_SERIES + "{job=\"wrong-password\"}").isEmpty());
            }
        }
    }

    /** Polls until the query has a result: waits for Prometheus' first scrapes, it measures nothing. */
    private static List<JsonNode> awaitVector(PrometheusServer prometheus, String query) throws Exception {
        long deadline = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (true) {
            List<JsonNode> result = prometheus.vector(query);
            if (!result.isEmpty()) {
                return result;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + query + " after 60 s; prometheus log:\n" + prometheus.log());
            }
            Thread.sleep(250);
        }
    }

    static void checkWithPromtool(Path dir, String exposition) throws Exception {
        assertTrue(Sh.available("promtool"), "promtool is missing: scripts/install-deps installs it (Debian package prometheus)");
        Path file = Files.createTempFile(dir, "scrape", ".prom");
        Files.writeString(file, exposition);
        Sh.Result r = Sh.tryRun(List.of("sh", "-c", "promtool check metrics < " + file));
        assertEquals(0, r.exit(), "promtool check metrics:\n" + r.out());
        assertTrue(r.out().isBlank(), "promtool has no lint warnings:\n" + r.out());
    }
}
