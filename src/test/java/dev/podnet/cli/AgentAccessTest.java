package dev.podnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.podnet.testing.TestTls;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client side of protected agents: the Authorization header and the trust of a PEM CA. */
class AgentAccessTest {

    private static AgentAccess access(Map<String, String> env) {
        AgentAccess access = new AgentAccess();
        access.env = env;
        return access;
    }

    @Test
    void noFlagsSendNoCredentials() throws Exception {
        AgentAccess access = access(Map.of(AgentAccess.PASSWORD_ENV, "ignored without --user"));
        assertNull(access.problem());
        assertNull(access.authorization());
    }

    @Test
    void basicAuthTakesThePasswordFromTheEnvironment() throws Exception {
        AgentAccess access = access(Map.of(AgentAccess.PASSWORD_ENV, "s3cret: with colon"));
        access.user = "alice";
        assertNull(access.problem());
        assertEquals("Basic " + Base64.getEncoder().encodeToString("alice:s3cret: with colon".getBytes(StandardCharsets.UTF_8)),
                access.authorization());
    }

    @Test
    void aPasswordFileWinsOverTheEnvironmentAndLosesItsLineEnd(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("password");
        Files.writeString(file, "from file \n");
        AgentAccess access = access(Map.of(AgentAccess.PASSWORD_ENV, "from env"));
        access.user = "bob";
        access.passwordFile = file;
        assertEquals("Basic " + Base64.getEncoder().encodeToString("bob:from file ".getBytes(StandardCharsets.UTF_8)),
                access.authorization());
    }

    @Test
    void aBearerTokenIsReadAgainForEveryRequest(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("token");
        Files.writeString(file, "first-token\n");
        AgentAccess access = access(Map.of());
        access.bearerTokenFile = file;
        assertEquals("Bearer first-token", access.authorization());
        Files.writeString(file, "rotated-token");
        assertEquals("Bearer rotated-token", access.authorization());
        assertEquals("Bearer rotated-token", access.authorize(HttpRequest.newBuilder(URI.create("http://x/"))).build()
                .headers().firstValue("Authorization").orElseThrow());
    }

    @Test
    void contradictoryOrIncompleteFlagsAreNamed(@TempDir Path dir) {
        AgentAccess noPassword = access(Map.of());
        noPassword.user = "alice";
        assertTrue(noPassword.problem().contains(AgentAccess.PASSWORD_ENV), noPassword.problem());
        AgentAccess both = access(Map.of(AgentAccess.PASSWORD_ENV, "x"));
        both.user = "alice";
        both.bearerTokenFile = dir.resolve("token");
        assertTrue(both.problem().contains("--bearer-token-file"), both.problem());
        AgentAccess fileOnly = access(Map.of());
        fileOnly.passwordFile = dir.resolve("password");
        assertTrue(fileOnly.problem().contains("--user"), fileOnly.problem());
    }

    @Test
    void theClientTrustsTheCaOfThePemFileAndSendsTheCredentials(@TempDir Path dir) throws Exception {
        TestTls tls = TestTls.create(dir);
        AtomicReference<String> received = new AtomicReference<>();
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls.serverContext()));
        server.createContext("/", exchange -> {
            received.set(exchange.getRequestHeaders().getFirst("Authorization"));
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
        });
        server.start();
        try {
            URI uri = URI.create("https://127.0.0.1:" + server.getAddress().getPort() + "/events");
            AgentAccess access = access(Map.of(AgentAccess.PASSWORD_ENV, "pw"));
            access.user = "alice";
            access.caCert = tls.caPem();
            try (HttpClient client = access.httpClient()) {
                HttpResponse<Void> response = client.send(access.authorize(HttpRequest.newBuilder(uri)).build(),
                        HttpResponse.BodyHandlers.discarding());
                assertEquals(204, response.statusCode());
                assertEquals(HttpClient.Version.HTTP_1_1, response.version());
            }
            assertEquals(access.authorization(), received.get());
            // Without the CA, the same agent is not trusted.
            try (HttpClient untrusting = access(Map.of()).httpClient()) {
                assertThrows(SSLHandshakeException.class, () -> untrusting.send(HttpRequest.newBuilder(uri).build(),
                        HttpResponse.BodyHandlers.discarding()));
            }
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aCaFileWithoutACertificateIsRefusedWithItsName(@TempDir Path dir) throws Exception {
        Path notPem = dir.resolve("ca.pem");
        Files.writeString(notPem, "not a certificate\n");
        GeneralSecurityException e = assertThrows(GeneralSecurityException.class, () -> AgentAccess.trusting(notPem));
        assertTrue(e.getMessage().contains(notPem.toString()), e.getMessage());
    }
}
