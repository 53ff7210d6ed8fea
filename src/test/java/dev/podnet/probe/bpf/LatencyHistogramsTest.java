package dev.podnet.probe.bpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.podnet.probe.HistogramData;
import org.junit.jupiter.api.Test;

class LatencyHistogramsTest {
    /** 32 kernel slots: slot i counts [2^(i-1), 2^i) ns, slot 31 everything from 2^30 ns. */
    private static long[] kernelSlots() {
        long[] slots = new long[32];
        slots[0] = 1;   // 0 ns
        slots[3] = 2;   // 4..7 ns
        slots[10] = 5;  // 512..1023 ns
        slots[11] = 7;  // 1024..2047 ns
        slots[20] = 11; // about 0.5..1 ms
        slots[30] = 13; // 2^29..2^30 ns
        slots[31] = 17; // over 2^30 ns
        return slots;
    }

    @Test
    void subMicrosecondSlotsAreMergedIntoTheFirstBucketOfAboutOneMicrosecond() {
        HistogramData h = LatencyHistograms.fromNanosecondSlots(kernelSlots(), 123_456_789L);
        assertEquals(21, h.upperBounds().length, "2^10 .. 2^30 ns");
        assertEquals(1.024e-6, h.upperBounds()[0], 1e-15);
        assertEquals(Math.scalb(1.0, 30) * 1e-9, h.upperBounds()[20], 1e-12);
        assertEquals(1 + 2 + 5, h.counts()[0], "slots 0..10 land in le=1.024us");
        assertEquals(7, h.counts()[1]);
        assertEquals(11, h.counts()[10], "slot 20 is bucket le=2^20 ns");
        assertEquals(13, h.counts()[20]);
        assertEquals(17, h.counts()[21], "+Inf");
        assertEquals(56, h.count(), "no observation lost or invented");
        assertEquals(0.123456789, h.sum(), 1e-12);
    }

    @Test
    void trimmedGivesTheSameAsFromSlotsForAnAggregateAlreadyInSeconds() {
        long[] slots = kernelSlots();
        HistogramData seconds = Log2Histogram.toHistogram(slots, 1000, LatencyHistograms.NANOSECOND);
        HistogramData a = LatencyHistograms.trimmed(seconds);
        HistogramData b = LatencyHistograms.fromNanosecondSlots(slots, 1000);
        assertArrayEquals(b.upperBounds(), a.upperBounds());
        assertArrayEquals(b.counts(), a.counts());
        assertEquals(b.sum(), a.sum());
    }

    @Test
    void histogramWhoseBoundsAllLieBelowTheMinimumKeepsItsLastBucket() {
        HistogramData small = new HistogramData(new double[] {1e-9, 2e-9, 4e-9}, new long[] {1, 2, 3, 4}, 5e-9);
        HistogramData merged = LatencyHistograms.mergeBelow(small, 1e-6);
        assertArrayEquals(new double[] {4e-9}, merged.upperBounds());
        assertArrayEquals(new long[] {6, 4}, merged.counts());
    }

    @Test
    void histogramAlreadyStartingAtTheMinimumIsUnchanged() {
        HistogramData h = new HistogramData(new double[] {1e-6, 1e-3}, new long[] {1, 2, 3}, 1);
        assertEquals(h, LatencyHistograms.mergeBelow(h, 1e-6));
    }

    @Test
    void sumAddsBucketByBucketAndRefusesDifferentBounds() {
        HistogramData a = LatencyHistograms.fromNanosecondSlots(kernelSlots(), 1_000L);
        long[] other = new long[32];
        other[11] = 3;
        other[31] = 1;
        HistogramData b = LatencyHistograms.fromNanosecondSlots(other, 500L);
        HistogramData sum = LatencyHistograms.sum(a, b);
        assertArrayEquals(a.upperBounds(), sum.upperBounds());
        assertEquals(7 + 3, sum.counts()[1]);
        assertEquals(17 + 1, sum.counts()[21], "+Inf");
        assertEquals(a.count() + b.count(), sum.count());
        assertEquals(1.5e-6, sum.sum(), 1e-15);
        HistogramData shorter = new HistogramData(new double[] {1.0}, new long[] {1, 0}, 0.5);
        org.junit.jupiter.api.Assertions.assertThrows(IllegalArgumentException.class, () -> LatencyHistograms.sum(a, shorter));
    }
}
