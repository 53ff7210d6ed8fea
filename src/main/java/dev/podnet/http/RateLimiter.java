package dev.podnet.http;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * exporter-toolkit's rate_limit: a token bucket that gains one token every {@code interval} up to
 * {@code burst}, shared by all clients; a request finding it empty gets 429.
 */
final class RateLimiter {
    private final long intervalNanos;
    private final int burst;
    private final LongSupplier nanoTime;
    private double tokens;
    private long last;

    RateLimiter(Duration interval, int burst, LongSupplier nanoTime) {
        this.intervalNanos = Math.max(1, interval.toNanos());
        this.burst = burst;
        this.nanoTime = nanoTime;
        this.tokens = burst;
        this.last = nanoTime.getAsLong();
    }

    synchronized boolean tryAcquire() {
        long now = nanoTime.getAsLong();
        tokens = Math.min(burst, tokens + (double) (now - last) / intervalNanos);
        last = now;
        if (tokens >= 1) {
            tokens -= 1;
            return true;
        }
        return false;
    }
}
