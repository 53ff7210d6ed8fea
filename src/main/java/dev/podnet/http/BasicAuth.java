package dev.podnet.http;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.bouncycastle.crypto.generators.OpenBSDBCrypt;

/**
 * Checks HTTP basic credentials against bcrypt hashes, as exporter-toolkit does. bcrypt costs tens of
 * milliseconds on purpose, which a scraper sending the same credentials every 15 s should not pay each
 * time: a successful check is remembered for a few minutes, keyed by a keyed hash (HMAC with a key
 * made at start) of user, password hash and password, so the cache holds no password and a changed hash
 * misses it. Failures are never remembered: every wrong guess pays full bcrypt, one at a time. Unknown
 * users are checked against a hash of a random password made at the highest cost among the users, so
 * that the time of an answer does not tell which users exist.
 */
final class BasicAuth {
    static final Duration REMEMBER = Duration.ofMinutes(5);
    static final int MAX_REMEMBERED = 128;

    private final LongSupplier nanoTime;
    private final byte[] cacheKey = new byte[32];
    /** Keyed digest -> when it stops counting (nanoTime), oldest insertion first. */
    private final LinkedHashMap<ByteBuffer, Long> remembered = new LinkedHashMap<>();
    /** One bcrypt at a time: it is CPU-bound, and the agent has other work on a small CPU limit. */
    private final ReentrantLock bcrypt = new ReentrantLock();
    /** bcrypt cost -> the hash of a random password at that cost; guarded by {@link #bcrypt}. */
    private final Map<Integer, String> unknownUserHashes = new HashMap<>();

    BasicAuth() {
        this(System::nanoTime);
    }

    BasicAuth(LongSupplier nanoTime) {
        this.nanoTime = nanoTime;
        new SecureRandom().nextBytes(cacheKey);
    }

    /** The user and password of an {@code Authorization: Basic} header, or null if it is not one. */
    static String[] credentials(String authorization) {
        if (authorization == null || authorization.length() < 6 || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return null;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).strip()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return null;
        }
        int colon = decoded.indexOf(':');
        return colon < 0 ? null : new String[] {decoded.substring(0, colon), decoded.substring(colon + 1)};
    }

    /** Whether {@code password} is {@code user}'s, given the users in force (name to bcrypt hash). */
    boolean check(Map<String, String> users, String user, String password) {
        String hash = users.get(user);
        boolean known = hash != null;
        ByteBuffer key = known ? digest(user, hash, password) : null;
        if (known && isRemembered(key)) {
            return true;
        }
        bcrypt.lock();
        try {
            if (known && isRemembered(key)) { // checked by a concurrent request meanwhile
                return true;
            }
            boolean ok = bcryptMatches(known ? hash : unknownUserHash(users), password) && known;
            if (ok) {
                remember(key);
            }
            return ok;
        } finally {
            bcrypt.unlock();
        }
    }

    private String unknownUserHash(Map<String, String> users) {
        int cost = users.values().stream().mapToInt(BasicAuth::cost).max().orElse(10);
        return unknownUserHashes.computeIfAbsent(cost, c -> {
            SecureRandom random = new SecureRandom();
            byte[] password = new byte[24];
            byte[] salt = new byte[16];
            random.nextBytes(password);
            random.nextBytes(salt);
            return OpenBSDBCrypt.generate("2y", password, salt, c);
        });
    }

    /** The cost of a {@code $2y$NN$...} hash (the loader checked the format). */
    static int cost(String hash) {
        try {
            return Integer.parseInt(hash.substring(4, 6));
        } catch (RuntimeException e) {
            return 10;
        }
    }

    private static boolean bcryptMatches(String hash, String password) {
        try {
            return OpenBSDBCrypt.checkPassword(hash, password.getBytes(StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            return false; // a hash BouncyCastle does not take; the loader checked the format, so this is rare
        }
    }

    private synchronized boolean isRemembered(ByteBuffer key) {
        Long until = remembered.get(key);
        if (until == null) {
            return false;
        }
        if (nanoTime.getAsLong() - until >= 0) {
            remembered.remove(key);
            return false;
        }
        return true;
    }

    private synchronized void remember(ByteBuffer key) {
        long now = nanoTime.getAsLong();
        remembered.values().removeIf(until -> now - until >= 0);
        while (remembered.size() >= MAX_REMEMBERED) {
            remembered.pollFirstEntry();
        }
        remembered.put(key, now + REMEMBER.toNanos());
    }

    synchronized int rememberedCount() {
        return remembered.size();
    }

    private ByteBuffer digest(String user, String hash, String password) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(cacheKey, "HmacSHA256"));
            for (String part : new String[] {user, hash, password}) {
                byte[] bytes = part.getBytes(StandardCharsets.UTF_8);
                mac.update(ByteBuffer.allocate(4).putInt(bytes.length).array());
                mac.update(bytes);
            }
            return ByteBuffer.wrap(mac.doFinal());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is missing from the JVM", e);
        }
    }
}
