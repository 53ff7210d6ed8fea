package dev.podnet.probe.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.testing.Scrape;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/** One histogram series of a scrape (its _bucket, _count and _sum), with the checks a user would make. */
record ScrapedHistogram(String name, List<Scrape.Series> buckets, double count, double sum) {

    /** The histogram {@code name} whose labels include {@code match}; count 0 and no buckets when absent. */
    static ScrapedHistogram of(Scrape scrape, String name, String... match) {
        List<Scrape.Series> buckets = new ArrayList<>(scrape.find(name + "_bucket", match));
        buckets.sort(Comparator.comparingDouble(ScrapedHistogram::upperBound));
        return new ScrapedHistogram(name, buckets, scrape.maybe(name + "_count", match).orElse(0.0),
                scrape.maybe(name + "_sum", match).orElse(0.0));
    }

    /** Observations in buckets whose upper bound is at most {@code bound} seconds. */
    double cumulativeAtMost(double bound) {
        double count = 0;
        for (Scrape.Series bucket : buckets) {
            if (upperBound(bucket) <= bound) {
                count = bucket.value();
            }
        }
        return count;
    }

    private static double upperBound(Scrape.Series bucket) {
        String le = bucket.label("le");
        return le.equals("+Inf") ? Double.POSITIVE_INFINITY : Double.parseDouble(le);
    }

    /**
     * Checks the exposition the way Prometheus reads it: cumulative buckets that never decrease, +Inf
     * equal to the count, the per-bucket counts adding up to the count, bounds from about 1 us to about 1 s.
     */
    void assertConsistent() {
        assertTrue(count > 0, name + " has observations");
        assertEquals(22, buckets.size(), name + ": 21 finite buckets (2^10 .. 2^30 ns) and +Inf: " + buckets);
        assertEquals(1.024e-6, upperBound(buckets.getFirst()), 1e-12, "first bucket about 1 us");
        assertEquals(1.073741824, upperBound(buckets.get(20)), 1e-9, "last finite about 1 s");
        assertEquals("+Inf", buckets.getLast().label("le"));
        double previous = 0;
        double perBucketTotal = 0;
        for (Scrape.Series bucket : buckets) {
            assertTrue(bucket.value() >= previous, name + " buckets are cumulative: " + buckets);
            perBucketTotal += bucket.value() - previous;
            previous = bucket.value();
        }
        assertEquals(count, buckets.getLast().value(), name + ": +Inf bucket equals the count");
        assertEquals(count, perBucketTotal, name + ": bucket counts sum to the count");
        assertTrue(sum > 0, name + ": durations add up to more than nothing");
    }
}
