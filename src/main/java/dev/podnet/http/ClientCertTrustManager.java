package dev.podnet.http;

import java.net.InetAddress;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Judges client certificates by the settings in force, as Go's crypto/tls does for exporter-toolkit's
 * client_auth_type: VerifyClientCertIfGiven and RequireAndVerifyClientCert check the chain against the
 * client CAs; RequestClientCert and RequireAnyClientCert take any certificate. Whether one is required
 * at all is set per connection ({@link TlsSettings#parameters}). client_allowed_sans then asks for one of
 * the listed DNS, IP, e-mail or URI SANs.
 */
final class ClientCertTrustManager extends X509ExtendedTrustManager {
    private final Supplier<TlsSettings> current;

    ClientCertTrustManager(Supplier<TlsSettings> current) {
        this.current = current;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        TlsSettings tls = settings();
        if (tls.clientVerifier() != null) {
            tls.clientVerifier().checkClientTrusted(chain, authType, engine);
        }
        checkSans(chain[0], tls.allowedSans());
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        TlsSettings tls = settings();
        if (tls.clientVerifier() != null) {
            tls.clientVerifier().checkClientTrusted(chain, authType, socket);
        }
        checkSans(chain[0], tls.allowedSans());
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        TlsSettings tls = settings();
        if (tls.clientVerifier() != null) {
            tls.clientVerifier().checkClientTrusted(chain, authType);
        }
        checkSans(chain[0], tls.allowedSans());
    }

    /** The CAs named in the certificate request: the verifying ones, else none (the client may send any). */
    @Override
    public X509Certificate[] getAcceptedIssuers() {
        TlsSettings tls = current.get();
        return tls == null || tls.clientVerifier() == null ? new X509Certificate[0] : tls.clientCas().clone();
    }

    static void checkSans(X509Certificate cert, List<String> allowed) throws CertificateException {
        if (allowed == null) {
            return;
        }
        List<String> found = sans(cert);
        for (String san : found) {
            for (String want : allowed) {
                if (san.equals(want) || sameAddress(san, want)) {
                    return;
                }
            }
        }
        throw new CertificateException("client certificate " + cert.getSubjectX500Principal() + " has none of the allowed SANs "
                + allowed + " (it has " + found + ")");
    }

    private static List<String> sans(X509Certificate cert) throws CertificateParsingException {
        List<String> values = new ArrayList<>();
        Collection<List<?>> names = cert.getSubjectAlternativeNames();
        if (names != null) {
            for (List<?> name : names) {
                int type = (Integer) name.get(0);
                if (type == 1 || type == 2 || type == 6 || type == 7) { // e-mail, DNS, URI, IP
                    values.add((String) name.get(1));
                }
            }
        }
        return values;
    }

    /** IP SANs compare as addresses: Java writes ::1 as 0:0:0:0:0:0:0:1, Go and the config as ::1. */
    private static boolean sameAddress(String a, String b) {
        try {
            return (a.contains(":") || a.matches("[0-9.]+")) && InetAddress.ofLiteral(a).equals(InetAddress.ofLiteral(b));
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private TlsSettings settings() throws CertificateException {
        TlsSettings tls = current.get();
        if (tls == null) {
            throw new CertificateException("TLS is not configured");
        }
        return tls;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        throw new CertificateException("the agent's server does not check server certificates");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        throw new CertificateException("the agent's server does not check server certificates");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("the agent's server does not check server certificates");
    }
}
