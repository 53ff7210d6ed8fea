package dev.podnet.probe.bpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.podnet.probe.HistogramData;
import org.junit.jupiter.api.Test;

class Log2HistogramTest {
    @Test
    void slotsFollowTheBitLengthAndTheLastSlotTakesTheRest() {
        assertEquals(0, Log2Histogram.slotOf(0, 32));
        assertEquals(1, Log2Histogram.slotOf(1, 32));
        assertEquals(2, Log2Histogram.slotOf(2, 32));
        assertEquals(2, Log2Histogram.slotOf(3, 32));
        assertEquals(3, Log2Histogram.slotOf(4, 32));
        assertEquals(10, Log2Histogram.slotOf(1023, 32));
        assertEquals(11, Log2Histogram.slotOf(1024, 32));
        assertEquals(31, Log2Histogram.slotOf(1L << 40, 32), "clamped into the +Inf slot");
        assertEquals(31, Log2Histogram.slotOf(-1, 32), "u64 max");
    }

    @Test
    void everyValueIsBelowItsBucketsBound() {
        for (long v : new long[] {0, 1, 2, 3, 4, 7, 8, 1000, 65535, 65536}) {
            int slot = Log2Histogram.slotOf(v, 32);
            double bound = Math.scalb(1.0, slot);
            assertEquals(true, v < bound && (slot == 0 || v >= bound / 2), v + " in slot " + slot);
        }
    }

    @Test
    void microsecondSlotsBecomeSecondBuckets() {
        long[] slots = new long[32];
        slots[0] = 1;  // 0 us
        slots[1] = 2;  // 1 us
        slots[15] = 3; // 16384..32767 us
        slots[31] = 4; // beyond 2^30 us
        HistogramData h = Log2Histogram.toHistogram(slots, 1_000_000, 1e-6);
        assertEquals(31, h.upperBounds().length);
        assertEquals(1e-6, h.upperBounds()[0]);
        assertEquals(2e-6, h.upperBounds()[1]);
        assertEquals(32768e-6, h.upperBounds()[15], 1e-12);
        assertEquals(Math.scalb(1.0, 30) * 1e-6, h.upperBounds()[30], 1e-9);
        assertArrayEquals(slots, h.counts(), "per bucket, not cumulative; the last is +Inf");
        assertEquals(10, h.count());
        assertEquals(1.0, h.sum(), 1e-12);
    }

    @Test
    void tooFewSlotsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> Log2Histogram.toHistogram(new long[1], 0, 1));
    }
}
