package dev.podnet.event;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Token buckets per key (an event type and pod): a burst, then a steady rate. An event over the limit
 * is not delivered but counted, and the next event of the key that passes carries the count of those it
 * stands for. The keys are bounded: the least recently used bucket goes (with its held-back count
 * reported as rate limited, never silently lost).
 */
final class RateLimiter {
    private final double burst;
    private final double perSecond;
    private final LinkedHashMap<String, Bucket> buckets;

    private static final class Bucket {
        double tokens;
        long lastNanos;
        long heldBack;
    }

    RateLimiter(int burst, double perSecond, int maxKeys) {
        this.burst = burst;
        this.perSecond = perSecond;
        this.buckets = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
                return size() > maxKeys;
            }
        };
    }

    /**
     * @return 0 when the event must be held back; else how many events it stands for (1 plus the ones
     *         held back since the last one that passed)
     */
    synchronized long admit(String key, long nowNanos) {
        Bucket b = buckets.get(key);
        if (b == null) {
            b = new Bucket();
            b.tokens = burst;
            b.lastNanos = nowNanos;
            buckets.put(key, b);
        }
        b.tokens = Math.min(burst, b.tokens + (nowNanos - b.lastNanos) / 1e9 * perSecond);
        b.lastNanos = nowNanos;
        if (b.tokens < 1) {
            b.heldBack++;
            return 0;
        }
        b.tokens -= 1;
        long count = 1 + b.heldBack;
        b.heldBack = 0;
        return count;
    }
}
