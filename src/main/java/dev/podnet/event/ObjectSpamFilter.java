package dev.podnet.event;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Token buckets per object, as the kubelet's EventSourceObjectSpamFilter keeps them: a burst of writes,
 * then one per interval. A token is taken only once the write succeeded, so an API server that is away
 * does not use up an object's budget while the same event is retried. The objects are bounded: the least
 * recently used bucket goes.
 */
final class ObjectSpamFilter {
    private final int burst;
    private final long refillMillis;
    private final LinkedHashMap<String, Bucket> buckets;

    private static final class Bucket {
        double tokens;
        long lastMillis;
    }

    ObjectSpamFilter(int burst, long refillMillis, int maxObjects) {
        this.burst = burst;
        this.refillMillis = refillMillis;
        this.buckets = new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, Bucket> eldest) {
                return size() > maxObjects;
            }
        };
    }

    /** Whether a write about the object may go now. */
    synchronized boolean mayPass(String object, long nowMillis) {
        return refill(object, nowMillis).tokens >= 1;
    }

    /** A write about the object went through. */
    synchronized void took(String object, long nowMillis) {
        Bucket b = refill(object, nowMillis);
        b.tokens = Math.max(0, b.tokens - 1);
    }

    private Bucket refill(String object, long nowMillis) {
        Bucket b = buckets.get(object);
        if (b == null) {
            b = new Bucket();
            b.tokens = burst;
            b.lastMillis = nowMillis;
            buckets.put(object, b);
        }
        if (nowMillis > b.lastMillis) {
            b.tokens = Math.min(burst, b.tokens + (double) (nowMillis - b.lastMillis) / refillMillis);
            b.lastMillis = nowMillis;
        }
        return b;
    }
}
