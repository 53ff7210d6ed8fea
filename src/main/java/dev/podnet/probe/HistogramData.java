package dev.podnet.probe;

import java.util.Arrays;

/**
 * A histogram as read from an in-kernel aggregate: ascending finite upper bounds and, per bucket, the
 * number of observations that fell into it (not cumulative). {@code counts} has one more element than
 * {@code upperBounds}: the last is the +Inf bucket.
 */
public record HistogramData(double[] upperBounds, long[] counts, double sum) {
    public HistogramData {
        if (counts.length != upperBounds.length + 1) {
            throw new IllegalArgumentException("need " + (upperBounds.length + 1) + " bucket counts, got " + counts.length);
        }
        for (int i = 1; i < upperBounds.length; i++) {
            if (!(upperBounds[i] > upperBounds[i - 1])) {
                throw new IllegalArgumentException("upper bounds must ascend: " + Arrays.toString(upperBounds));
            }
        }
    }

    /** The bucket-wise sum with a histogram of the same bounds (two namespaces' or two CPUs', say). */
    public HistogramData plus(HistogramData other) {
        if (!Arrays.equals(upperBounds, other.upperBounds)) {
            throw new IllegalArgumentException("cannot add histograms with bounds " + Arrays.toString(upperBounds)
                    + " and " + Arrays.toString(other.upperBounds));
        }
        long[] total = counts.clone();
        for (int i = 0; i < total.length; i++) {
            total[i] += other.counts[i];
        }
        return new HistogramData(upperBounds, total, sum + other.sum);
    }

    public long count() {
        long total = 0;
        for (long c : counts) {
            total += c;
        }
        return total;
    }
}
