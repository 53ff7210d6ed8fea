package dev.podnet.probe;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HistogramScopeTest {
    private static final double[] BOUNDS = {0.001, 0.01, 0.1};

    private static HistogramData histogram(long a, long b, long c, long inf, double sum) {
        return new HistogramData(BOUNDS, new long[] {a, b, c, inf}, sum);
    }

    private static SampleBuffer buffer() {
        return new SampleBuffer(new String[] {"netns"}, inode -> new String[] {Long.toString(inode)});
    }

    private static List<Sample> write(HistogramScope scope) {
        SampleBuffer out = buffer();
        HistogramScope.Histograms h = scope.histograms("podnet_x_seconds", "help");
        h.add(101, histogram(1, 0, 0, 0, 0.0005), "phase", "a");
        h.add(102, histogram(0, 2, 0, 1, 3.0), "phase", "a");
        h.add(101, histogram(0, 0, 4, 0, 0.2), "phase", "b");
        h.add(0, histogram(1, 1, 1, 1, 1.0), "phase", "a"); // a namespace the kernel could not tell
        h.writeTo(out);
        return out.samples();
    }

    @Test
    void nodeWideWithoutTheSettingSummingEveryNamespaceBucketByBucket() {
        HistogramScope scope = HistogramScope.of("netiftx", Map.of());
        assertFalse(scope.perPod());
        List<Sample> samples = write(scope);
        assertEquals(2, samples.size(), "one histogram per label set: " + samples);
        Sample a = samples.getFirst();
        assertEquals(0, a.baseNames().length, "no namespace labels");
        assertArrayEquals(new String[] {"phase", "a"}, a.labels());
        assertArrayEquals(new long[] {2, 3, 1, 2}, a.histogram().counts());
        assertEquals(4.0005, a.histogram().sum(), 1e-12);
        assertArrayEquals(new long[] {0, 0, 4, 0}, samples.get(1).histogram().counts());
    }

    @Test
    void perPodKeepsEachNamespacesOwnAndTheUnknownOnesNodeWide() {
        HistogramScope scope = HistogramScope.of("tcpconn", Map.of("perPodHistograms", true));
        assertTrue(scope.perPod());
        List<Sample> samples = write(scope);
        assertEquals(4, samples.size());
        assertArrayEquals(new String[] {"101"}, samples.get(0).baseValues());
        assertArrayEquals(new String[] {"102"}, samples.get(1).baseValues());
        assertArrayEquals(new long[] {0, 2, 0, 1}, samples.get(1).histogram().counts());
        assertEquals(0, samples.get(3).baseNames().length, "inode 0 has no namespace to go to");
        assertFalse(HistogramScope.of("tcpconn", Map.of("perPodHistograms", false)).perPod());
    }

    @Test
    void anythingButTrueOrFalseIsRefusedWithTheSettingNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HistogramScope.of("netiftx", Map.of("perPodHistograms", "yes please")));
        assertTrue(e.getMessage().startsWith("probeSettings.netiftx.perPodHistograms: expected true"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> HistogramScope.of("netiftx", Map.of("perPodHistograms", 1)));
    }

    @Test
    void histogramsWithOtherBoundsAreNotAdded() {
        HistogramScope.Histograms h = HistogramScope.of("x", Map.of()).histograms("podnet_x_seconds", "help");
        h.add(1, histogram(1, 1, 1, 1, 1));
        assertThrows(IllegalArgumentException.class,
                () -> h.add(2, new HistogramData(new double[] {1}, new long[] {1, 1}, 1)));
    }
}
