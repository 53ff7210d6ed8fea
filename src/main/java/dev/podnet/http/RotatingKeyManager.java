package dev.podnet.http;

import java.net.Socket;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Serves the server certificate in force at the moment of each handshake: a reload swaps the settings
 * and the next connection gets the new certificate, while the server and its open connections stay.
 * One alias; it is offered only for the key type of the current key, so JSSE picks a signature scheme
 * that the key can make.
 */
final class RotatingKeyManager extends X509ExtendedKeyManager {
    static final String ALIAS = "podnet";

    private final Supplier<TlsSettings> current;

    RotatingKeyManager(Supplier<TlsSettings> current) {
        this.current = current;
    }

    @Override
    public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
        return chooseServerAlias(keyType, issuers, null);
    }

    @Override
    public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
        TlsSettings tls = current.get();
        return tls != null && matches(keyType, tls.key()) ? ALIAS : null;
    }

    /** JSSE asks by key type: "RSA", "RSASSA-PSS", "EC", "EdDSA", or for TLS 1.2 "EC_RSA"-style pairs. */
    static boolean matches(String keyType, PrivateKey key) {
        if (keyType == null) {
            return false;
        }
        String wanted = keyType.contains("_") ? keyType.substring(0, keyType.indexOf('_')) : keyType;
        String have = key.getAlgorithm();
        if (wanted.equalsIgnoreCase(have)) {
            return true;
        }
        return wanted.equals("EdDSA") && (have.equals("Ed25519") || have.equals("Ed448"));
    }

    @Override
    public X509Certificate[] getCertificateChain(String alias) {
        TlsSettings tls = current.get();
        return ALIAS.equals(alias) && tls != null ? tls.chain().clone() : null;
    }

    @Override
    public PrivateKey getPrivateKey(String alias) {
        TlsSettings tls = current.get();
        return ALIAS.equals(alias) && tls != null ? tls.key() : null;
    }

    @Override
    public String[] getServerAliases(String keyType, Principal[] issuers) {
        String alias = chooseServerAlias(keyType, issuers, null);
        return alias == null ? null : new String[] {alias};
    }

    // The agent is never a TLS client with these settings.
    @Override
    public String[] getClientAliases(String keyType, Principal[] issuers) {
        return null;
    }

    @Override
    public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
        return null;
    }

    @Override
    public String chooseEngineClientAlias(String[] keyType, Principal[] issuers, SSLEngine engine) {
        return null;
    }
}
