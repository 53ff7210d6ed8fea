package dev.podnet.health;

import dev.podnet.probe.HistogramData;

/**
 * The results of one target's checks: the failures in a row that decide {@code up}, the success and
 * failure counts, and the histogram of answer times. Checks record into it from pool threads while a
 * scrape reads it; one lock, held for a few field updates, keeps a snapshot consistent (never the
 * failure count of one check beside the up value of the next).
 */
final class TargetState {
    /** 0.1 ms (a veth next door) to 2 s (the longest timeout): roughly 1-2.5-5 steps. */
    static final double[] BUCKETS = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
            0.25, 0.5, 1, 2};

    private final int failureThreshold;
    private int failuresInARow;
    private long successes;
    private long failures;
    private final long[] bucketCounts = new long[BUCKETS.length + 1];
    private double answerSecondsSum;

    TargetState(int failureThreshold) {
        this.failureThreshold = Math.max(1, failureThreshold);
    }

    /** What a scrape writes: {@code up} is null until the first check has finished. */
    record Snapshot(Integer up, long successes, long failures, HistogramData answerSeconds) {
    }

    synchronized void record(CheckOutcome outcome) {
        if (outcome.success()) {
            successes++;
            failuresInARow = 0;
            double seconds = Math.max(0, outcome.answerSeconds());
            answerSecondsSum += seconds;
            bucketCounts[bucket(seconds)]++;
        } else {
            failures++;
            failuresInARow++;
        }
    }

    /**
     * Up is 1 until {@code failureThreshold} checks in a row have failed, as a Kubernetes probe counts
     * them: with a threshold of 2 a first failure alone leaves it 1, and one success brings it back.
     */
    synchronized Snapshot snapshot() {
        Integer up = successes + failures == 0 ? null : failuresInARow >= failureThreshold ? 0 : 1;
        return new Snapshot(up, successes, failures, new HistogramData(BUCKETS, bucketCounts.clone(), answerSecondsSum));
    }

    private static int bucket(double seconds) {
        for (int i = 0; i < BUCKETS.length; i++) {
            if (seconds <= BUCKETS[i]) {
                return i;
            }
        }
        return BUCKETS.length;
    }
}
