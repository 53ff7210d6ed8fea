package dev.podnet.http;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * exporter-toolkit's rate_limit: a token bucket that gains one token every {@code interval} up to
 * {@code burst}, shared by all clients; a request finding it empty gets 429.
 */
final class RateLimiter {
    private final long intervalNanos;
    private final long fullNanos;
    private final LongSupplier nanoTime;
    /** The tokens, counted in nanoseconds of refill (one token = one interval): exact, no rounding. */
    private long credit;
    private long last;

    RateLimiter(Duration interval, int burst, LongSupplier nanoTime) {
        this.intervalNanos = Math.max(1, interval.toNanos());
        long full;
        try {
            full = Math.multiplyExact(intervalNanos, (long) burst);
        } catch (ArithmeticException e) {
            full = Long.MAX_VALUE;
        }
        this.fullNanos = full;
        this.nanoTime = nanoTime;
        this.credit = fullNanos;
        this.last = nanoTime.getAsLong();
    }

    synchronized boolean tryAcquire() {
        long now = nanoTime.getAsLong();
        long elapsed = Math.max(0, now - last);
        credit = elapsed >= fullNanos - credit ? fullNanos : credit + elapsed;
        last = now;
        if (credit >= intervalNanos) {
            credit -= intervalNanos;
            return true;
        }
        return false;
    }
}
