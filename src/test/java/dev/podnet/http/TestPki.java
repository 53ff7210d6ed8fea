package dev.podnet.http;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.testing.Sh;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.Socket;
import java.security.KeyStore;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * A throw-away PKI made by openssl in a directory: a CA, server certificates for 127.0.0.1 and
 * localhost with keys in the formats openssl writes, client certificates, and bcrypt hashes by htpasswd.
 * All of it is made at test time; nothing is checked in.
 */
public final class TestPki {
    /** Key formats: PKCS#8 ("PRIVATE KEY"), PKCS#1 RSA ("RSA PRIVATE KEY"), SEC1 EC ("EC PRIVATE KEY"). */
    public enum KeyFormat { PKCS8_EC, PKCS8_RSA, PKCS1_RSA, SEC1_EC }

    final Path dir;
    public final Path caCert;
    private final Path caKey;

    private TestPki(Path dir, Path caCert, Path caKey) {
        this.dir = dir;
        this.caCert = caCert;
        this.caKey = caKey;
    }

    static void requireTools() {
        for (String tool : List.of("openssl", "htpasswd", "curl")) {
            assertTrue(Sh.available(tool), tool + " is missing: scripts/install-deps installs it (openssl, apache2-utils, curl)");
        }
    }

    /** A CA named {@code name}, in {@code dir}. */
    public static TestPki create(Path dir, String name) {
        requireTools();
        Path key = dir.resolve(name + ".key");
        Path cert = dir.resolve(name + ".crt");
        Sh.run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-days", "2", "-subj", "/CN=" + name);
        return new TestPki(dir, cert, key);
    }

    /** A server certificate for 127.0.0.1 and localhost: writes {@code name}.crt and {@code name}.key. */
    public Path[] server(String name, long serial, KeyFormat format) throws IOException {
        return issue(name, serial, format, "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
    }

    /** A client certificate with a DNS SAN; also writes {@code name}.p12 (password "changeit") for Java clients. */
    Path[] client(String name, long serial, String dnsSan) throws IOException {
        Path[] files = issue(name, serial, KeyFormat.PKCS8_EC, "subjectAltName=DNS:" + dnsSan + "\nextendedKeyUsage=clientAuth\n");
        Sh.run("openssl", "pkcs12", "-export", "-in", files[0].toString(), "-inkey", files[1].toString(),
                "-out", dir.resolve(name + ".p12").toString(), "-passout", "pass:changeit");
        return files;
    }

    private Path[] issue(String name, long serial, KeyFormat format, String extensions) throws IOException {
        Path key = dir.resolve(name + ".key");
        Path cert = dir.resolve(name + ".crt");
        Path csr = dir.resolve(name + ".csr");
        Path ext = dir.resolve(name + ".ext");
        switch (format) {
            case PKCS8_EC -> Sh.run("openssl", "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", key.toString());
            case PKCS8_RSA -> Sh.run("openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", key.toString());
            case PKCS1_RSA -> Sh.run("openssl", "genrsa", "-traditional", "-out", key.toString(), "2048");
            case SEC1_EC -> Sh.run("openssl", "ecparam", "-name", "prime256v1", "-genkey", "-out", key.toString());
        }
        Files.writeString(ext, extensions);
        Sh.run("openssl", "req", "-new", "-key", key.toString(), "-subj", "/CN=" + name, "-out", csr.toString());
        Sh.run("openssl", "x509", "-req", "-in", csr.toString(), "-CA", caCert.toString(), "-CAkey", caKey.toString(),
                "-set_serial", Long.toString(serial), "-days", "2", "-extfile", ext.toString(), "-out", cert.toString());
        return new Path[] {cert, key};
    }

    /** {@code user:hash} by htpasswd: bcrypt at cost 5 (tests check many passwords; the format is the same). */
    public static String bcrypt(String user, String password) {
        String line = Sh.run("htpasswd", "-nbB", "-C", "5", user, password).strip();
        return line.substring(line.indexOf(':') + 1);
    }

    /**
     * A client context trusting {@code ca} and, if {@code p12} is not null, presenting that client
     * certificate always, even to a server whose certificate request names other CAs (as curl does; JSSE's
     * own key manager would send nothing then, which would not test the server's verification).
     */
    static SSLContext clientContext(Path ca, Path p12) throws Exception {
        KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
        trust.load(null, null);
        int i = 0;
        for (X509Certificate c : certificates(ca)) {
            trust.setCertificateEntry("ca" + i++, c);
        }
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        KeyManagerFactory kmf = null;
        if (p12 != null) {
            KeyStore keys = KeyStore.getInstance("PKCS12");
            try (InputStream in = Files.newInputStream(p12)) {
                keys.load(in, "changeit".toCharArray());
            }
            kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(keys, "changeit".toCharArray());
        }
        SSLContext context = SSLContext.getInstance("TLS");
        context.init(kmf == null ? null : new KeyManager[] {new AlwaysSend((X509ExtendedKeyManager) kmf.getKeyManagers()[0])},
                tmf.getTrustManagers(), null);
        return context;
    }

    private static final class AlwaysSend extends X509ExtendedKeyManager {
        private final X509ExtendedKeyManager keys;

        AlwaysSend(X509ExtendedKeyManager keys) {
            this.keys = keys;
        }

        @Override
        public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
            return chooseClientAlias(keyType, issuers, null);
        }

        @Override
        public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
            for (String type : keyType) {
                String[] aliases = keys.getClientAliases(type, null);
                if (aliases != null && aliases.length > 0) {
                    return aliases[0];
                }
            }
            return null;
        }

        @Override
        public String[] getClientAliases(String keyType, Principal[] issuers) {
            return keys.getClientAliases(keyType, null);
        }

        @Override
        public String[] getServerAliases(String keyType, Principal[] issuers) {
            return null;
        }

        @Override
        public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
            return null;
        }

        @Override
        public X509Certificate[] getCertificateChain(String alias) {
            return keys.getCertificateChain(alias);
        }

        @Override
        public PrivateKey getPrivateKey(String alias) {
            return keys.getPrivateKey(alias);
        }
    }

    static List<X509Certificate> certificates(Path pem) throws Exception {
        try (InputStream in = Files.newInputStream(pem)) {
            List<X509Certificate> certs = new ArrayList<>();
            for (var c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                certs.add((X509Certificate) c);
            }
            return certs;
        }
    }
}
