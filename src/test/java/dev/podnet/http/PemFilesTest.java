package dev.podnet.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.config.ConfigException;
import dev.podnet.config.WebConfig.Pem;
import dev.podnet.testing.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** PEM certificates and keys as openssl writes them, and the errors for what cannot be used. */
class PemFilesTest {

    private static Pem file(Path p) {
        return new Pem("key_file", p, null);
    }

    @Test
    void readsEveryKeyFormatAndChecksItAgainstItsCertificate(@TempDir Path dir) throws Exception {
        TestPki pki = TestPki.create(dir, "ca");
        for (TestPki.KeyFormat format : TestPki.KeyFormat.values()) {
            Path[] files = pki.server("s-" + format, 1, format);
            String header = Files.readString(files[1]);
            String expected = switch (format) {
                case PKCS8_EC, PKCS8_RSA -> "-----BEGIN PRIVATE KEY-----";
                case PKCS1_RSA -> "-----BEGIN RSA PRIVATE KEY-----";
                case SEC1_EC -> "-----BEGIN EC PRIVATE KEY-----";
            };
            assertTrue(header.contains(expected), format + " as openssl wrote it: " + header.lines().findFirst().orElse(""));
            PrivateKey key = PemFiles.privateKey(file(files[1]));
            List<X509Certificate> certs = PemFiles.certificates(new Pem("cert_file", files[0], null));
            PemFiles.checkPair(key, certs.getFirst(), file(files[1]), new Pem("cert_file", files[0], null));
            assertEquals(format.name().contains("RSA") ? "RSA" : "EC", key.getAlgorithm());
        }
    }

    @Test
    void aChainFileGivesEveryCertificateInOrderAndInlinePemWorksLikeAFile(@TempDir Path dir) throws Exception {
        TestPki pki = TestPki.create(dir, "ca");
        Path[] server = pki.server("server", 7, TestPki.KeyFormat.PKCS8_EC);
        String chain = Files.readString(server[0]) + Files.readString(pki.caCert);
        List<X509Certificate> certs = PemFiles.certificates(new Pem("cert", null, chain));
        assertEquals(List.of("CN=server", "CN=ca"), certs.stream().map(c -> c.getSubjectX500Principal().getName()).toList());
        PemFiles.privateKey(new Pem("key", null, Files.readString(server[1])));
    }

    @Test
    void refusesEncryptedMismatchedAndMissingKeysWithTheReason(@TempDir Path dir) throws Exception {
        TestPki pki = TestPki.create(dir, "ca");
        Path[] a = pki.server("a", 1, TestPki.KeyFormat.PKCS8_EC);
        Path[] b = pki.server("b", 2, TestPki.KeyFormat.PKCS8_RSA);
        Path encrypted = dir.resolve("encrypted.key");
        Sh.run("openssl", "pkey", "-in", a[1].toString(), "-aes256", "-passout", "pass:secret", "-out", encrypted.toString());

        String message = assertThrows(ConfigException.class, () -> PemFiles.privateKey(file(encrypted))).getMessage();
        assertTrue(message.startsWith("key_file " + encrypted + ": the private key is encrypted"), message);

        Pem certA = new Pem("cert_file", a[0], null);
        message = assertThrows(ConfigException.class,
                () -> PemFiles.checkPair(PemFiles.privateKey(file(b[1])), PemFiles.certificates(certA).getFirst(), file(b[1]), certA)).getMessage();
        assertTrue(message.contains("key_file " + b[1]) && message.contains("cert_file " + a[0]), message);

        message = assertThrows(ConfigException.class, () -> PemFiles.privateKey(new Pem("key_file", a[0], null))).getMessage();
        assertTrue(message.contains("holds no PEM private key"), message);
        message = assertThrows(ConfigException.class, () -> PemFiles.certificates(new Pem("cert_file", a[1], null))).getMessage();
        assertTrue(message.contains("holds no PEM certificate"), message);
        Path unreadable = dir.resolve("absent.crt");
        message = assertThrows(ConfigException.class, () -> PemFiles.certificates(new Pem("cert_file", unreadable, null))).getMessage();
        assertEquals("cert_file " + unreadable + ": cannot read it: it does not exist", message);
    }
}
