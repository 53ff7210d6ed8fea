package dev.podnet.http;

import dev.podnet.config.ConfigException;
import dev.podnet.config.WebConfig;
import dev.podnet.config.WebConfig.ClientAuth;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The TLS material and policy in force, read from a validated web config: built whole, checked whole,
 * then swapped in at once, so a handshake never sees half of an old and half of a new config.
 *
 * @param clientVerifier PKIX validation against the client CAs, or null when client certificates are not verified
 * @param cipherSuites   the suites to enable, or null for the JVM's defaults
 * @param namedGroups    the key exchange groups to offer, or null for the JVM's defaults
 */
record TlsSettings(PrivateKey key, X509Certificate[] chain, ClientAuth clientAuth, X509Certificate[] clientCas,
                   X509ExtendedTrustManager clientVerifier, List<String> allowedSans, String[] protocols,
                   String[] cipherSuites, String[] namedGroups, boolean serverCipherOrder) {

    static TlsSettings load(WebConfig.Tls tls) throws ConfigException {
        List<X509Certificate> chain = PemFiles.certificates(tls.cert());
        PrivateKey key = PemFiles.privateKey(tls.key());
        PemFiles.checkPair(key, chain.getFirst(), tls.key(), tls.cert());
        X509Certificate[] cas = new X509Certificate[0];
        X509ExtendedTrustManager verifier = null;
        if (tls.clientCa() != null) {
            cas = PemFiles.certificates(tls.clientCa()).toArray(X509Certificate[]::new);
            if (tls.clientAuth().verifies()) {
                verifier = verifier(cas, tls.clientCa().describe());
            }
        }
        SSLParameters supported = supported();
        List<String> protocols = new ArrayList<>();
        for (WebConfig.TlsVersion v : WebConfig.TlsVersion.values()) {
            if (v.compareTo(tls.minVersion()) >= 0 && v.compareTo(tls.maxVersion()) <= 0) {
                protocols.add(v.protocol());
            }
        }
        return new TlsSettings(key, chain.toArray(X509Certificate[]::new), tls.clientAuth(), cas, verifier,
                tls.clientAllowedSans(), protocols.toArray(String[]::new), cipherSuites(tls.cipherSuites(), supported),
                namedGroups(tls.curvePreferences(), supported), tls.preferServerCipherSuites());
    }

    /** The parameters of one new connection. */
    SSLParameters parameters(SSLParameters defaults) {
        SSLParameters p = defaults;
        p.setProtocols(protocols);
        if (cipherSuites != null) {
            p.setCipherSuites(cipherSuites);
        }
        if (namedGroups != null) {
            p.setNamedGroups(namedGroups);
        }
        p.setUseCipherSuitesOrder(serverCipherOrder);
        switch (clientAuth) {
            case NoClientCert -> p.setWantClientAuth(false);
            case RequestClientCert, VerifyClientCertIfGiven -> p.setWantClientAuth(true);
            case RequireAnyClientCert, RequireAndVerifyClientCert -> p.setNeedClientAuth(true);
        }
        return p;
    }

    X509Certificate leaf() {
        return chain[0];
    }

    /** What a log line says about the certificate: subject, serial and end of validity. */
    String describe() {
        X509Certificate leaf = leaf();
        return leaf.getSubjectX500Principal() + " (serial " + leaf.getSerialNumber().toString(16) + ", valid until "
                + leaf.getNotAfter().toInstant() + "), client auth " + clientAuth;
    }

    BigInteger serial() {
        return leaf().getSerialNumber();
    }

    private static X509ExtendedTrustManager verifier(X509Certificate[] cas, String where) throws ConfigException {
        try {
            KeyStore store = KeyStore.getInstance(KeyStore.getDefaultType());
            store.load(null, null);
            for (int i = 0; i < cas.length; i++) {
                store.setCertificateEntry("ca" + i, cas[i]);
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance("PKIX");
            factory.init(store);
            for (TrustManager tm : factory.getTrustManagers()) {
                if (tm instanceof X509ExtendedTrustManager x509) {
                    return x509;
                }
            }
            throw new ConfigException(where + ": the JVM made no X.509 trust manager of these CAs");
        } catch (GeneralSecurityException | java.io.IOException e) {
            throw new ConfigException(where + ": cannot use these CAs: " + e.getMessage(), e);
        }
    }

    private static SSLParameters supported() throws ConfigException {
        try {
            return SSLContext.getDefault().getSupportedSSLParameters();
        } catch (GeneralSecurityException e) {
            throw new ConfigException("(the JVM has no TLS implementation): " + e.getMessage(), e);
        }
    }

    /**
     * exporter-toolkit's cipher_suites choose among the TLS 1.2 suites only (Go does not let TLS 1.3 suites
     * be configured); JSSE's one list covers both, so the JVM's TLS 1.3 suites are kept enabled beside them.
     */
    private static String[] cipherSuites(List<String> configured, SSLParameters supported) throws ConfigException {
        if (configured.isEmpty()) {
            return null;
        }
        Set<String> known = Set.of(supported.getCipherSuites());
        Set<String> enabled = new LinkedHashSet<>();
        for (String suite : configured) {
            if (!known.contains(suite)) {
                throw new ConfigException("cipher_suites: \"" + suite + "\" is not a cipher suite this JVM supports");
            }
            enabled.add(suite);
        }
        try {
            Arrays.stream(SSLContext.getDefault().getDefaultSSLParameters().getCipherSuites())
                    .filter(s -> s.startsWith("TLS_AES_") || s.startsWith("TLS_CHACHA20_")).forEach(enabled::add);
        } catch (GeneralSecurityException e) {
            throw new ConfigException("(the JVM has no TLS implementation): " + e.getMessage(), e);
        }
        return enabled.toArray(String[]::new);
    }

    private static String[] namedGroups(List<String> configured, SSLParameters supported) throws ConfigException {
        if (configured.isEmpty()) {
            return null;
        }
        List<String> known = supported.getNamedGroups() == null ? List.of() : List.of(supported.getNamedGroups());
        for (String group : configured) {
            if (!known.contains(group)) {
                throw new ConfigException("curve_preferences: this JVM does not support " + group);
            }
        }
        return configured.toArray(String[]::new);
    }
}
