package dev.podnet.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.math.BigInteger;
import java.net.InetAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** HTTPS as exporter-toolkit's tls_server_config sets it up, against certificates openssl made for the test. */
class TlsServerTest {
    @TempDir
    static Path dir;
    static TestPki pki;
    static TestPki otherCa;
    static SSLContext trustingCa;

    @BeforeAll
    static void pki() throws Exception {
        pki = TestPki.create(dir, "ca");
        otherCa = TestPki.create(dir, "other-ca");
        pki.server("server", 0x1001, TestPki.KeyFormat.PKCS8_EC);
        pki.client("client", 0x3001, "scraper.example");
        pki.client("client-elsewhere", 0x3002, "other.example");
        otherCa.client("stranger", 0x4001, "scraper.example");
        trustingCa = TestPki.clientContext(pki.caCert, null);
    }

    private static SSLContext withClientCert(String name) throws Exception {
        return TestPki.clientContext(pki.caCert, dir.resolve(name + ".p12"));
    }

    private static String tls(String extra) {
        return "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n" + extra;
    }

    @ParameterizedTest
    @EnumSource(TestPki.KeyFormat.class)
    void servesMetricsOverHttpsWithEveryKeyFormatOpensslWrites(TestPki.KeyFormat format, @TempDir Path sub) throws Exception {
        TestPki local = TestPki.create(sub, "ca");
        local.server("server", 0x1100 + format.ordinal(), format);
        try (SecureServer s = SecureServer.start(sub, tls(""))) {
            assertTrue(s.server.tls());
            HttpResponse<String> r = s.get("/metrics", TestPki.clientContext(local.caCert, null), null, null);
            assertEquals(200, r.statusCode());
            assertTrue(r.body().contains(SecureServer.KNOWN_SERIES), r.body());
            X509Certificate served = (X509Certificate) r.sslSession().orElseThrow().getPeerCertificates()[0];
            assertEquals(BigInteger.valueOf(0x1100 + format.ordinal()), served.getSerialNumber());
        }
    }

    @Test
    void plainHttpToTheHttpsPortGetsNoMetrics() throws Exception {
        try (SecureServer s = SecureServer.start(dir, tls(""))) {
            String answer = rawPlainHttp(s.server.port(), "/metrics");
            assertFalse(answer.contains(SecureServer.KNOWN_SERIES), answer);
            assertFalse(answer.startsWith("HTTP/1.1 200"), answer);
            // ... and the same server still answers HTTPS.
            assertEquals(200, s.get("/metrics", trustingCa, null, null).statusCode());
        }
    }

    /** Sends a plain-text request and reads whatever comes back until the server closes (or 20 s pass). */
    private static String rawPlainHttp(int port, String path) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(20_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.flush();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buf = new byte[4096];
            try {
                for (int n; (n = in.read(buf)) > 0; ) {
                    got.write(buf, 0, n);
                }
            } catch (SocketTimeoutException | java.net.SocketException e) {
                // a reset or silence: no metrics either way
            }
            return got.toString(StandardCharsets.ISO_8859_1);
        }
    }

    @Test
    void requireAndVerifyClientCertRefusesNoCertAndForeignCertsAndTakesOnesFromTheCa() throws Exception {
        try (SecureServer s = SecureServer.start(dir, tls("  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n"))) {
            assertThrows(IOException.class, () -> s.get("/metrics", trustingCa, null, null), "no client certificate");
            assertThrows(IOException.class, () -> s.get("/metrics", withClientCert("stranger"), null, null),
                    "a certificate from another CA");
            HttpResponse<String> r = s.get("/metrics", withClientCert("client"), null, null);
            assertEquals(200, r.statusCode());
            assertTrue(r.body().contains(SecureServer.KNOWN_SERIES));
        }
    }

    @Test
    void verifyClientCertIfGivenTakesNoCertButChecksOneThatIsSent() throws Exception {
        try (SecureServer s = SecureServer.start(dir, tls("  client_auth_type: VerifyClientCertIfGiven\n  client_ca_file: ca.crt\n"))) {
            assertEquals(200, s.get("/metrics", trustingCa, null, null).statusCode());
            assertEquals(200, s.get("/metrics", withClientCert("client"), null, null).statusCode());
            assertThrows(IOException.class, () -> s.get("/metrics", withClientCert("stranger"), null, null));
        }
    }

    @Test
    void requireAnyClientCertWantsACertificateButDoesNotVerifyIt() throws Exception {
        try (SecureServer s = SecureServer.start(dir, tls("  client_auth_type: RequireAnyClientCert\n"))) {
            assertThrows(IOException.class, () -> s.get("/metrics", trustingCa, null, null));
            assertEquals(200, s.get("/metrics", withClientCert("stranger"), null, null).statusCode());
        }
    }

    @Test
    void clientAllowedSansRefusesAVerifiedCertificateWithoutOne() throws Exception {
        try (SecureServer s = SecureServer.start(dir, tls("  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: ca.crt\n"
                + "  client_allowed_sans: [scraper.example]\n"))) {
            assertEquals(200, s.get("/metrics", withClientCert("client"), null, null).statusCode());
            assertThrows(IOException.class, () -> s.get("/metrics", withClientCert("client-elsewhere"), null, null));
        }
    }

    @Test
    void minVersionTls13RefusesATls12Client() throws Exception {
        try (SecureServer s = SecureServer.start(dir, tls("  min_version: TLS13\n"))) {
            SSLContext tls12 = TestPki.clientContext(pki.caCert, null);
            javax.net.ssl.SSLParameters only12 = tls12.getDefaultSSLParameters();
            only12.setProtocols(new String[] {"TLSv1.2"});
            HttpResponse<String> ok = s.get("/metrics", trustingCa, null, null);
            assertEquals("TLSv1.3", ok.sslSession().orElseThrow().getProtocol());
            try (java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().sslContext(tls12).sslParameters(only12)
                    .version(java.net.http.HttpClient.Version.HTTP_1_1).build()) {
                assertThrows(IOException.class, () -> client.send(java.net.http.HttpRequest.newBuilder(
                        java.net.URI.create(s.url("/metrics"))).build(), HttpResponse.BodyHandlers.ofString()));
            }
        }
    }

    @Test
    void cipherSuitesLimitTls12AndKeepTls13Working() throws Exception {
        try (SecureServer s = SecureServer.start(dir, tls("  max_version: TLS12\n  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]\n"))) {
            HttpResponse<String> r = s.get("/metrics", trustingCa, null, null);
            assertEquals("TLSv1.2", r.sslSession().orElseThrow().getProtocol());
            assertEquals("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", r.sslSession().orElseThrow().getCipherSuite());
        }
        try (SecureServer s = SecureServer.start(dir, tls("  cipher_suites: [TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256]\n"))) {
            assertEquals("TLSv1.3", s.get("/metrics", trustingCa, null, null).sslSession().orElseThrow().getProtocol());
        }
    }
}
