package dev.podnet.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** bcrypt checks against hashes htpasswd made, and what is (and is not) remembered between them. */
class BasicAuthTest {
    static String alice;
    static String aliceOther;
    static String bob;

    @BeforeAll
    static void hashes() {
        TestPki.requireTools();
        alice = TestPki.bcrypt("alice", "wonderland");
        aliceOther = TestPki.bcrypt("alice", "looking-glass");
        bob = TestPki.bcrypt("bob", "builder");
    }

    private static String basic(String userColonPassword) {
        return "Basic " + Base64.getEncoder().encodeToString(userColonPassword.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void credentialsComeFromTheBasicHeaderSplitAtTheFirstColon() {
        assertArrayEquals(new String[] {"alice", "a:b:c"}, BasicAuth.credentials(basic("alice:a:b:c")));
        assertArrayEquals(new String[] {"alice", ""}, BasicAuth.credentials(basic("alice:")));
        assertArrayEquals(new String[] {"ünï", "pässwörd"}, BasicAuth.credentials(basic("ünï:pässwörd")));
        assertArrayEquals(new String[] {"alice", "x"}, BasicAuth.credentials("basic " + Base64.getEncoder().encodeToString("alice:x".getBytes())));
        assertNull(BasicAuth.credentials(null));
        assertNull(BasicAuth.credentials("Bearer abc"));
        assertNull(BasicAuth.credentials("Basic !!!not-base64"));
        assertNull(BasicAuth.credentials(basic("no-colon")));
    }

    @Test
    void checksPasswordsAgainstHtpasswdHashes() {
        BasicAuth auth = new BasicAuth();
        Map<String, String> users = Map.of("alice", alice, "bob", bob);
        assertTrue(auth.check(users, "alice", "wonderland"));
        assertTrue(auth.check(users, "bob", "builder"));
        assertFalse(auth.check(users, "alice", "builder"));
        assertFalse(auth.check(users, "alice", "Wonderland"));
        assertFalse(auth.check(users, "carol", "wonderland"), "an unknown user");
        assertFalse(auth.check(users, "", ""));
    }

    @Test
    void onlySuccessesAreRememberedAndOnlyForTheHashTheyWereCheckedAgainst() {
        AtomicLong now = new AtomicLong();
        BasicAuth auth = new BasicAuth(now::get);
        Map<String, String> users = Map.of("alice", alice);
        for (int i = 0; i < 5; i++) {
            assertFalse(auth.check(users, "alice", "guess-" + i));
            assertFalse(auth.check(users, "mallory", "guess-" + i));
        }
        assertEquals(0, auth.rememberedCount(), "failures are never remembered");

        assertTrue(auth.check(users, "alice", "wonderland"));
        assertEquals(1, auth.rememberedCount());
        assertTrue(auth.check(users, "alice", "wonderland"));
        assertEquals(1, auth.rememberedCount());

        // The user's hash changed (a reload): the old password's success does not carry over.
        Map<String, String> changed = Map.of("alice", aliceOther);
        assertFalse(auth.check(changed, "alice", "wonderland"));
        assertTrue(auth.check(changed, "alice", "looking-glass"));
        // The user was removed: nothing remembered lets the password in.
        assertFalse(auth.check(Map.of("bob", bob), "alice", "wonderland"));
    }

    @Test
    void aRememberedSuccessExpires() {
        AtomicLong now = new AtomicLong(1_000);
        BasicAuth auth = new BasicAuth(now::get);
        Map<String, String> users = Map.of("alice", alice, "bob", bob);
        assertTrue(auth.check(users, "alice", "wonderland"));
        assertEquals(1, auth.rememberedCount());
        now.addAndGet(BasicAuth.REMEMBER.toNanos());
        assertTrue(auth.check(users, "bob", "builder"));
        assertEquals(1, auth.rememberedCount(), "alice's expired entry is gone, bob's is there");
        assertTrue(auth.check(users, "alice", "wonderland"), "checked again with bcrypt");
    }

    @Test
    void theRememberedSuccessesAreBounded() {
        BasicAuth auth = new BasicAuth();
        Map<String, String> users = new java.util.HashMap<>();
        byte[] salt = new byte[16];
        for (int i = 0; i < BasicAuth.MAX_REMEMBERED + 10; i++) {
            salt[0] = (byte) i;
            users.put("user" + i, org.bouncycastle.crypto.generators.OpenBSDBCrypt.generate("2y", ("pw" + i).toCharArray(), salt, 4));
        }
        for (int i = 0; i < BasicAuth.MAX_REMEMBERED + 10; i++) {
            assertTrue(auth.check(users, "user" + i, "pw" + i));
        }
        assertEquals(BasicAuth.MAX_REMEMBERED, auth.rememberedCount());
        assertEquals(4, BasicAuth.cost(users.get("user0")));
    }
}
