package dev.podnet.probe.bpf;

import dev.podnet.probe.HistogramData;
import java.util.Arrays;

/**
 * The exported shape of podnet's in-kernel latency histograms (latency.h): the kernel counts
 * nanoseconds in log2 slots, which would make 31 buckets from 1 ns up. Nothing in packet processing is
 * usefully told apart below a microsecond, so every slot under 2^10 ns is merged into the first
 * exported bucket, le 1.024e-6 s; the last finite bucket is 2^30 ns (about 1.07 s), then +Inf.
 */
public final class LatencyHistograms {
    /** One kernel unit in seconds. */
    public static final double NANOSECOND = 1e-9;
    /** Buckets ending below this many seconds are merged into the first one at or above it. */
    public static final double FIRST_BOUND_AT_LEAST = 1e-6;

    private LatencyHistograms() {
    }

    /** A histogram from the kernel's slots (not cumulative) and sum, both in nanoseconds. */
    public static HistogramData fromNanosecondSlots(long[] slots, long sumNs) {
        return mergeBelow(Log2Histogram.toHistogram(slots, sumNs, NANOSECOND), FIRST_BOUND_AT_LEAST);
    }

    /** A nanosecond histogram already converted to seconds (bounds 2^i ns), with its small buckets merged. */
    public static HistogramData trimmed(HistogramData nanosecondBuckets) {
        return mergeBelow(nanosecondBuckets, FIRST_BOUND_AT_LEAST);
    }

    /** The bucket-wise sum of two histograms with the same bounds (one namespace's, from two CPUs, say). */
    public static HistogramData sum(HistogramData a, HistogramData b) {
        return a.plus(b);
    }

    /**
     * Merges every bucket whose upper bound is below {@code minBound} into the first bucket whose bound
     * is not; counts, total and sum are unchanged. If no finite bound reaches {@code minBound}, the
     * histogram keeps its last finite bucket and everything below is merged into it.
     */
    public static HistogramData mergeBelow(HistogramData h, double minBound) {
        double[] bounds = h.upperBounds();
        if (bounds.length == 0) {
            return h;
        }
        int first = 0;
        while (first < bounds.length - 1 && bounds[first] < minBound) {
            first++;
        }
        if (first == 0) {
            return h;
        }
        long[] counts = h.counts();
        long[] merged = new long[counts.length - first];
        for (int i = 0; i <= first; i++) {
            merged[0] += counts[i];
        }
        System.arraycopy(counts, first + 1, merged, 1, merged.length - 1);
        return new HistogramData(Arrays.copyOfRange(bounds, first, bounds.length), merged, h.sum());
    }
}
