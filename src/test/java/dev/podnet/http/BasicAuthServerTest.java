package dev.podnet.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** basic_auth_users on every endpoint, over HTTPS and over plain HTTP, with the headers and rate limit around it. */
class BasicAuthServerTest {
    @TempDir
    static Path dir;
    static SSLContext trustingCa;
    static String aliceHash;
    static String bobHash;

    @BeforeAll
    static void setUp() throws Exception {
        TestPki pki = TestPki.create(dir, "ca");
        pki.server("server", 0x1001, TestPki.KeyFormat.PKCS8_EC);
        trustingCa = TestPki.clientContext(pki.caCert, null);
        aliceHash = TestPki.bcrypt("alice", "wonderland");
        bobHash = TestPki.bcrypt("bob", "b:with:colons");
    }

    private static String config(String extra) {
        return "tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n"
                + "basic_auth_users:\n  alice: " + aliceHash + "\n  bob: '" + bobHash + "'\n" + extra;
    }

    @Test
    void theRightPasswordGetsMetricsAWrongOrMissingOneGets401WithAChallenge() throws Exception {
        try (SecureServer s = SecureServer.start(dir, config(""))) {
            HttpResponse<String> ok = s.get("/metrics", trustingCa, "alice", "wonderland");
            assertEquals(200, ok.statusCode());
            assertTrue(ok.body().contains(SecureServer.KNOWN_SERIES));
            assertEquals(200, s.get("/metrics", trustingCa, "bob", "b:with:colons").statusCode(), "a password with colons");

            for (String[] bad : List.of(new String[] {"alice", "wonderlan"}, new String[] {"alice", ""},
                    new String[] {"mallory", "wonderland"}, new String[] {"bob", "wonderland"}, new String[] {null, null})) {
                HttpResponse<String> r = s.get("/metrics", trustingCa, bad[0], bad[1]);
                assertEquals(401, r.statusCode(), bad[0] + ":" + bad[1]);
                assertEquals("Basic realm=\"podnet\"", r.headers().firstValue("WWW-Authenticate").orElse(""));
                assertTrue(!r.body().contains(SecureServer.KNOWN_SERIES), r.body());
            }
        }
    }

    @Test
    void everyEndpointAsksForCredentialsTheHealthCheckAndALaterContextIncluded() throws Exception {
        try (SecureServer s = SecureServer.start(dir, config(""))) {
            s.server.addContext("/events", BasicAuthServerTest::stream);
            for (String path : List.of("/metrics", "/status", "/-/healthy", "/", "/events", "/nothing-here")) {
                assertEquals(401, s.get(path, trustingCa, null, null).statusCode(), path);
            }
            assertEquals(200, s.get("/-/healthy", trustingCa, "alice", "wonderland").statusCode());
            assertEquals(200, s.get("/status", trustingCa, "alice", "wonderland").statusCode());
            assertEquals(404, s.get("/nothing-here", trustingCa, "alice", "wonderland").statusCode());
            HttpResponse<String> events = s.get("/events", trustingCa, "alice", "wonderland");
            assertEquals(200, events.statusCode());
            assertEquals("data: one\n\ndata: two\n\n", events.body());
        }
    }

    /** A small server-sent event stream, written in flushed pieces as /events will be. */
    private static void stream(HttpExchange exchange) throws java.io.IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        try (OutputStream out = exchange.getResponseBody()) {
            for (String event : List.of("one", "two")) {
                out.write(("data: " + event + "\n\n").getBytes(StandardCharsets.UTF_8));
                out.flush();
            }
        }
    }

    @Test
    void basicAuthWithoutTlsWorksOverPlainHttp() throws Exception {
        try (SecureServer s = SecureServer.start(dir, "basic_auth_users:\n  alice: " + aliceHash + "\n")) {
            assertTrue(!s.server.tls());
            assertEquals(401, s.get("/metrics", null, "alice", "nope").statusCode());
            assertEquals(200, s.get("/metrics", null, "alice", "wonderland").statusCode());
        }
    }

    @Test
    void configuredHeadersGoOnEveryAnswerTheRefusalsIncluded() throws Exception {
        try (SecureServer s = SecureServer.start(dir, config("http_server_config:\n  headers:\n    X-Frame-Options: deny\n"
                + "    Strict-Transport-Security: max-age=31536000\n"))) {
            for (HttpResponse<String> r : List.of(s.get("/metrics", trustingCa, "alice", "wonderland"),
                    s.get("/metrics", trustingCa, null, null))) {
                assertEquals("deny", r.headers().firstValue("X-Frame-Options").orElse(""), "status " + r.statusCode());
                assertEquals("max-age=31536000", r.headers().firstValue("Strict-Transport-Security").orElse(""));
            }
        }
    }

    @Test
    void theRateLimitAnswers429OnceTheBurstIsSpent() throws Exception {
        // One new token an hour: the burst of 2 is all this test can spend, whatever the clock does.
        try (SecureServer s = SecureServer.start(dir, config("rate_limit:\n  interval: 1h\n  burst: 2\n"))) {
            assertEquals(200, s.get("/-/healthy", trustingCa, "alice", "wonderland").statusCode());
            assertEquals(401, s.get("/-/healthy", trustingCa, null, null).statusCode());
            assertEquals(429, s.get("/-/healthy", trustingCa, "alice", "wonderland").statusCode());
        }
    }

    @Test
    void aSuccessfulCheckIsRememberedAndFailuresAreNot() throws Exception {
        try (SecureServer s = SecureServer.start(dir, config(""))) {
            for (int i = 0; i < 3; i++) {
                assertEquals(401, s.get("/metrics", trustingCa, "alice", "guess" + i).statusCode());
            }
            assertEquals(0, s.security.auth().rememberedCount(), "no failure is remembered");
            for (int i = 0; i < 3; i++) {
                assertEquals(200, s.get("/metrics", trustingCa, "alice", "wonderland").statusCode());
            }
            assertEquals(1, s.security.auth().rememberedCount(), "one success, remembered once");
        }
    }
}
