package dev.podnet.probe.bpf;

import dev.podnet.probe.HistogramData;

/**
 * Turns the slots of an in-kernel log2 histogram (podnet.h's struct log2_hist) into a Prometheus
 * histogram. The kernel puts value v in slot bit_length(v): slot 0 holds 0, slot i holds
 * [2^(i-1), 2^i), the last slot everything larger. So slot i's upper bound is 2^i kernel units, and
 * the last slot is the +Inf bucket. Integer kernel values truncate (a duration of 3.7 us is 3), which
 * keeps every observation strictly below its bucket's bound.
 */
public final class Log2Histogram {
    private Log2Histogram() {
    }

    /** Slot the kernel uses for {@code value}, given {@code slots} slots. Mirrors bit_length() in podnet.h. */
    public static int slotOf(long value, int slots) {
        int bits = 64 - Long.numberOfLeadingZeros(value);
        return Math.min(bits, slots - 1);
    }

    /**
     * @param slots per-slot counts as the kernel keeps them (not cumulative)
     * @param sum   sum of the observed values, in kernel units
     * @param unit  size of one kernel unit in the exported unit (1e-6 for microseconds exported as seconds)
     */
    public static HistogramData toHistogram(long[] slots, long sum, double unit) {
        if (slots.length < 2) {
            throw new IllegalArgumentException("a log2 histogram needs at least 2 slots, got " + slots.length);
        }
        double[] bounds = new double[slots.length - 1];
        for (int i = 0; i < bounds.length; i++) {
            bounds[i] = Math.scalb(1.0, i) * unit;
        }
        return new HistogramData(bounds, slots.clone(), sum * unit);
    }
}
