package dev.podnet.http;

import dev.podnet.config.ConfigException;
import dev.podnet.config.WebConfig.Pem;
import dev.podnet.config.WebConfigLoader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.Signature;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.MGF1ParameterSpec;
import java.security.spec.PSSParameterSpec;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.openssl.PEMEncryptedKeyPair;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.pkcs.PKCS8EncryptedPrivateKeyInfo;

/**
 * Certificates and private keys in PEM, as openssl and cert-manager write them: keys in PKCS#8
 * ({@code PRIVATE KEY}), PKCS#1 ({@code RSA PRIVATE KEY}) or SEC1 ({@code EC PRIVATE KEY}). BouncyCastle
 * parses the PEM and ASN.1; the JDK's own providers make the keys, so no security provider is installed.
 * Encrypted keys are refused, as Go's crypto/tls refuses them.
 */
final class PemFiles {
    private PemFiles() {
    }

    /** Every certificate in the PEM, in order; at least one. */
    static List<X509Certificate> certificates(Pem pem) throws ConfigException {
        List<X509Certificate> certs = new ArrayList<>();
        try (PEMParser parser = new PEMParser(new StringReader(text(pem)))) {
            CertificateFactory factory = CertificateFactory.getInstance("X.509");
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                if (o instanceof X509CertificateHolder holder) {
                    certs.add((X509Certificate) factory.generateCertificate(new ByteArrayInputStream(holder.getEncoded())));
                }
            }
        } catch (IOException | CertificateException | RuntimeException e) {
            throw new ConfigException(pem.describe() + ": not a valid PEM certificate: " + e.getMessage(), e);
        }
        if (certs.isEmpty()) {
            throw new ConfigException(pem.describe() + ": holds no PEM certificate (-----BEGIN CERTIFICATE-----)");
        }
        return List.copyOf(certs);
    }

    /** The one private key in the PEM. */
    static PrivateKey privateKey(Pem pem) throws ConfigException {
        try (PEMParser parser = new PEMParser(new StringReader(text(pem)))) {
            JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
            for (Object o = parser.readObject(); o != null; o = parser.readObject()) {
                switch (o) {
                    case PrivateKeyInfo info -> {
                        return converter.getPrivateKey(info);
                    }
                    case PEMKeyPair pair -> {
                        return converter.getKeyPair(pair).getPrivate();
                    }
                    case PEMEncryptedKeyPair ignored -> throw encrypted(pem);
                    case PKCS8EncryptedPrivateKeyInfo ignored -> throw encrypted(pem);
                    default -> {
                        // EC PARAMETERS before an EC PRIVATE KEY, or a certificate in the same file
                    }
                }
            }
        } catch (IOException | RuntimeException e) {
            throw new ConfigException(pem.describe() + ": not a valid PEM private key: " + e.getMessage(), e);
        }
        throw new ConfigException(pem.describe() + ": holds no PEM private key (PRIVATE KEY, RSA PRIVATE KEY or EC PRIVATE KEY)");
    }

    /**
     * Checks that the key belongs to the certificate, as Go's tls.X509KeyPair does: a mismatch (a
     * rotation that replaced one file but not yet the other) would otherwise fail every handshake.
     */
    static void checkPair(PrivateKey key, X509Certificate cert, Pem keyPem, Pem certPem) throws ConfigException {
        PublicKey pub = cert.getPublicKey();
        String algorithm = switch (pub.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            case "RSASSA-PSS" -> "RSASSA-PSS";
            default -> pub.getAlgorithm(); // EdDSA, Ed25519, Ed448: the key's own scheme
        };
        try {
            byte[] probe = new byte[32];
            new SecureRandom().nextBytes(probe);
            Signature sign = signature(algorithm);
            sign.initSign(key);
            sign.update(probe);
            byte[] signature = sign.sign();
            Signature verify = signature(algorithm);
            verify.initVerify(pub);
            verify.update(probe);
            if (verify.verify(signature)) {
                return;
            }
        } catch (GeneralSecurityException e) {
            throw new ConfigException(keyPem.describe() + " does not match " + certPem.describe() + ": " + e.getMessage(), e);
        }
        throw new ConfigException(keyPem.describe() + " is not the private key of the certificate in " + certPem.describe()
                + " (" + cert.getSubjectX500Principal() + ")");
    }

    private static Signature signature(String algorithm) throws GeneralSecurityException {
        Signature signature = Signature.getInstance(algorithm);
        if (algorithm.equals("RSASSA-PSS")) {
            signature.setParameter(new PSSParameterSpec("SHA-256", "MGF1", MGF1ParameterSpec.SHA256, 32, 1));
        }
        return signature;
    }

    private static ConfigException encrypted(Pem pem) {
        return new ConfigException(pem.describe() + ": the private key is encrypted; give it unencrypted "
                + "(openssl pkey -in KEY -out KEY.plain), protected by file permissions");
    }

    private static String text(Pem pem) throws ConfigException {
        if (pem.inline() != null) {
            return pem.inline();
        }
        try {
            return Files.readString(pem.file(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new ConfigException(pem.describe() + ": cannot read it: " + WebConfigLoader.reason(e), e);
        }
    }
}
