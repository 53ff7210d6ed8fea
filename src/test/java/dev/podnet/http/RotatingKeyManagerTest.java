package dev.podnet.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import org.junit.jupiter.api.Test;

/** The one alias is offered only for the key type JSSE asks for, so it never picks a scheme the key cannot sign. */
class RotatingKeyManagerTest {

    private static PrivateKey key(String algorithm) throws Exception {
        return KeyPairGenerator.getInstance(algorithm).generateKeyPair().getPrivate();
    }

    @Test
    void matchesTheKeyTypesJsseAsksFor() throws Exception {
        PrivateKey ec = key("EC");
        PrivateKey rsa = key("RSA");
        PrivateKey ed = key("Ed25519");
        assertTrue(RotatingKeyManager.matches("EC", ec));
        assertTrue(RotatingKeyManager.matches("EC_EC", ec));
        assertFalse(RotatingKeyManager.matches("RSA", ec));
        assertTrue(RotatingKeyManager.matches("RSA", rsa));
        assertFalse(RotatingKeyManager.matches("RSASSA-PSS", rsa));
        assertFalse(RotatingKeyManager.matches("EC", rsa));
        assertTrue(RotatingKeyManager.matches("EdDSA", ed));
        assertFalse(RotatingKeyManager.matches(null, ec));
    }
}
