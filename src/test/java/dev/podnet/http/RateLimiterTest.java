package dev.podnet.http;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The token bucket of rate_limit, on a clock the test moves. */
class RateLimiterTest {

    @Test
    void aBurstThenOneRequestPerInterval() {
        AtomicLong now = new AtomicLong(42);
        RateLimiter limiter = new RateLimiter(Duration.ofSeconds(1), 3, now::get);
        assertTrue(limiter.tryAcquire());
        assertTrue(limiter.tryAcquire());
        assertTrue(limiter.tryAcquire());
        assertFalse(limiter.tryAcquire(), "the burst is spent");
        now.addAndGet(Duration.ofMillis(999).toNanos());
        assertFalse(limiter.tryAcquire(), "not yet a whole token");
        now.addAndGet(Duration.ofMillis(1).toNanos());
        assertTrue(limiter.tryAcquire());
        assertFalse(limiter.tryAcquire());
        now.addAndGet(Duration.ofHours(1).toNanos());
        for (int i = 0; i < 3; i++) {
            assertTrue(limiter.tryAcquire(), "refilled up to the burst, no further");
        }
        assertFalse(limiter.tryAcquire());
    }
}
