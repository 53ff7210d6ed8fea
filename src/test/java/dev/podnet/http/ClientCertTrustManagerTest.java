package dev.podnet.http;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.testing.Sh;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** client_allowed_sans as Go compares them: DNS, e-mail and URI SANs as written, IP SANs as addresses. */
class ClientCertTrustManagerTest {

    @Test
    void aCertificatePassesWithAnyOneAllowedSan(@TempDir Path dir) throws Exception {
        TestPki.requireTools();
        Path key = dir.resolve("k.pem");
        Path cert = dir.resolve("c.pem");
        Sh.run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-days", "1", "-subj", "/CN=scraper",
                "-addext", "subjectAltName=DNS:scraper.example,IP:::1,IP:10.1.2.3,URI:spiffe://cluster/ns/monitoring/sa/prometheus,email:ops@example.org");
        X509Certificate c = TestPki.certificates(cert).getFirst();
        for (String allowed : List.of("scraper.example", "::1", "0:0:0:0:0:0:0:1", "10.1.2.3",
                "spiffe://cluster/ns/monitoring/sa/prometheus", "ops@example.org")) {
            ClientCertTrustManager.checkSans(c, List.of("nothing.example", allowed));
        }
        ClientCertTrustManager.checkSans(c, null);
        CertificateException e = assertThrows(CertificateException.class,
                () -> ClientCertTrustManager.checkSans(c, List.of("other.example", "10.1.2.4", "scraper")));
        assertTrue(e.getMessage().contains("none of the allowed SANs") && e.getMessage().contains("scraper.example"), e.getMessage());
    }
}
