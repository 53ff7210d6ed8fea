package dev.podnet.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.config.ConfigException;
import java.math.BigInteger;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Reloads without a restart: a rotated certificate reaches the next connection, a bad web config is
 * refused and counted while the last good one keeps serving, and a bad one at start is refused with the
 * file and the problem named.
 */
class WebConfigReloadTest {
    private static final String TLS = "tls_server_config:\n  cert_file: tls.crt\n  key_file: tls.key\n";

    private static BigInteger servedSerial(SecureServer s, SSLContext ssl, String user, String password) throws Exception {
        HttpResponse<String> r = s.get("/metrics", ssl, user, password);
        assertEquals(200, r.statusCode(), r.body());
        return ((X509Certificate) r.sslSession().orElseThrow().getPeerCertificates()[0]).getSerialNumber();
    }

    /** Replaces a file as a Secret update or cert-manager does: the new content appears at once. */
    private static void replace(Path target, Path source) throws Exception {
        Path tmp = target.resolveSibling(target.getFileName() + ".new");
        Files.copy(source, tmp, StandardCopyOption.REPLACE_EXISTING);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    @Test
    void aRotatedCertificateIsServedToTheNextConnectionWithoutARestart(@TempDir Path dir) throws Exception {
        TestPki pki = TestPki.create(dir, "ca");
        Path[] first = pki.server("first", 0x1001, TestPki.KeyFormat.PKCS8_EC);
        Path[] second = pki.server("second", 0x2002, TestPki.KeyFormat.PKCS1_RSA);
        replace(dir.resolve("tls.crt"), first[0]);
        replace(dir.resolve("tls.key"), first[1]);
        SSLContext ssl = TestPki.clientContext(pki.caCert, null);
        try (SecureServer s = SecureServer.start(dir, TLS)) {
            int port = s.server.port();
            assertEquals(BigInteger.valueOf(0x1001), servedSerial(s, ssl, null, null));

            replace(dir.resolve("tls.key"), second[1]);
            replace(dir.resolve("tls.crt"), second[0]);
            s.security.checkNow();

            HttpResponse<String> r = s.get("/metrics", TestPki.clientContext(pki.caCert, null), null, null);
            X509Certificate served = (X509Certificate) r.sslSession().orElseThrow().getPeerCertificates()[0];
            assertEquals(BigInteger.valueOf(0x2002), served.getSerialNumber());
            assertEquals("CN=second", served.getSubjectX500Principal().getName());
            assertEquals(port, s.server.port(), "the same server");
            assertEquals(1, s.reloads("success"));
            assertEquals(0, s.reloads("failure"));
        }
    }

    @Test
    void aBadWebConfigOnReloadIsRefusedCountedAndTheLastGoodOneKeepsServing(@TempDir Path dir) throws Exception {
        TestPki pki = TestPki.create(dir, "ca");
        Path[] cert = pki.server("server", 0x1001, TestPki.KeyFormat.SEC1_EC);
        Path[] other = pki.server("other", 0x1002, TestPki.KeyFormat.PKCS8_EC);
        replace(dir.resolve("tls.crt"), cert[0]);
        replace(dir.resolve("tls.key"), cert[1]);
        String hash = TestPki.bcrypt("alice", "wonderland");
        String good = TLS + "basic_auth_users:\n  alice: " + hash + "\n";
        SSLContext ssl = TestPki.clientContext(pki.caCert, null);
        try (SecureServer s = SecureServer.start(dir, good)) {
            assertEquals(BigInteger.valueOf(0x1001), servedSerial(s, ssl, "alice", "wonderland"));

            // A key that is not the certificate's: a rotation that replaced one file of the two.
            replace(dir.resolve("tls.key"), other[1]);
            s.security.checkNow();
            assertEquals(1, s.reloads("failure"));
            assertTrue(s.security.lastReloadError().contains(dir.resolve("tls.key").toString())
                    && s.security.lastReloadError().contains("not the private key"), s.security.lastReloadError());
            assertEquals(BigInteger.valueOf(0x1001), servedSerial(s, ssl, "alice", "wonderland"));
            s.security.checkNow();
            assertEquals(1, s.reloads("failure"), "the same bad files are refused once, not at every check");

            // A bad hash, and a typo in a field name.
            replace(dir.resolve("tls.key"), cert[1]);
            Files.writeString(s.webConfig, TLS + "basic_auth_users:\n  alice: not-a-hash\n");
            s.security.checkNow();
            assertEquals(2, s.reloads("failure"));
            assertTrue(s.security.lastReloadError().contains("basic_auth_users.alice") && !s.security.lastReloadError().contains("not-a-hash"),
                    s.security.lastReloadError());
            Files.writeString(s.webConfig, TLS.replace("cert_file", "cert_filse"));
            s.security.checkNow();
            assertEquals(3, s.reloads("failure"));
            assertTrue(s.security.lastReloadError().contains("tls_server_config.cert_filse: unknown field"), s.security.lastReloadError());
            assertEquals(401, s.get("/metrics", ssl, null, null).statusCode(), "the last good config still asks for a password");
            assertEquals(200, s.get("/metrics", ssl, "alice", "wonderland").statusCode());

            // Turning TLS off takes a restart.
            Files.writeString(s.webConfig, "basic_auth_users:\n  alice: " + hash + "\n");
            s.security.checkNow();
            assertEquals(4, s.reloads("failure"));
            assertTrue(s.security.lastReloadError().contains("takes a restart"), s.security.lastReloadError());

            Files.writeString(s.webConfig, TLS);
            s.security.checkNow();
            assertEquals(1, s.reloads("success"));
            assertNull(s.security.lastReloadError());
            assertEquals(200, s.get("/metrics", ssl, null, null).statusCode(), "no users any more");
        }
    }

    @Test
    void aWebConfigThatCannotBeUsedAtStartIsRefusedNamingTheFileAndTheProblem(@TempDir Path dir) throws Exception {
        TestPki pki = TestPki.create(dir, "ca");
        Path[] cert = pki.server("server", 0x1001, TestPki.KeyFormat.PKCS8_EC);
        Path[] other = pki.server("other", 0x1002, TestPki.KeyFormat.PKCS8_EC);
        Files.writeString(dir.resolve("garbage.key"), "-----BEGIN PRIVATE KEY-----\nbm90IGEga2V5\n-----END PRIVATE KEY-----\n");
        String[][] cases = {
                {"tls_server_config:\n  cert_file: missing.crt\n  key_file: server.key\n", "cert_file " + dir.resolve("missing.crt"), "does not exist"},
                {"tls_server_config:\n  cert_file: server.crt\n  key_file: other.key\n", "key_file " + dir.resolve("other.key"), "not the private key"},
                {"tls_server_config:\n  cert_file: server.crt\n  key_file: garbage.key\n", "key_file " + dir.resolve("garbage.key"), "not a valid PEM private key"},
                {"tls_server_config:\n  cert_file: server.key\n  key_file: server.key\n", "cert_file " + dir.resolve("server.key"), "no PEM certificate"},
                {"tls_server_config:\n  cert_file: server.crt\n", "tls_server_config", "missing one of key or key_file"},
                {"basic_auth_users:\n  alice: $2y$10$tooShort\n", "basic_auth_users.alice", "not a bcrypt hash"},
                {"tls_server_config:\n  cert_file: server.crt\n  key_file: server.key\n  client_auth_type: RequireAndVerifyClientCert\n",
                        "client_auth_type", "needs client_ca_file"},
                {"tls_server_confg:\n  cert_file: server.crt\n", "tls_server_confg", "unknown field"},
        };
        for (String[] c : cases) {
            Path file = dir.resolve("web-config.yml");
            Files.writeString(file, c[0]);
            ConfigException e = assertThrows(ConfigException.class, () -> WebSecurity.load(file), c[0]);
            assertTrue(e.getMessage().startsWith("web config file " + file + ": "), e.getMessage());
            assertTrue(e.getMessage().contains(c[1]) && e.getMessage().contains(c[2]), e.getMessage());
        }
        ConfigException absent = assertThrows(ConfigException.class, () -> WebSecurity.load(dir.resolve("absent.yml")));
        assertTrue(absent.getMessage().contains(dir.resolve("absent.yml") + ": cannot read it: it does not exist"), absent.getMessage());
    }
}
