package dev.podnet.probe.bpf;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.bpf.BpfMap;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KernelEventConfigTest {
    private static final List<String> TYPES = List.of("A", "B", "C");

    @Test
    void theKindsAreTheWantedTypesBits() {
        KernelEventConfig config = KernelEventConfig.of("p", Map.of(), TYPES, false, new CapturedEvents("A", "C"));
        assertEquals(0b101, config.kinds());
        assertTrue(config.any());
        assertEquals(KernelEventConfig.DEFAULT_PER_CPU_PER_SECOND, config.perCpuPerSecond());
        assertEquals(null, config.threshold());
        KernelEventConfig none = KernelEventConfig.of("p", Map.of(), TYPES, false, new CapturedEvents("X"));
        assertEquals(0, none.kinds());
        assertFalse(none.any());
    }

    @Test
    void theImageIsStructEventConfig() {
        KernelEventConfig config = KernelEventConfig.of("p", Map.of("eventsPerSecond", 50, "eventThreshold", "1us"), TYPES,
                true, new CapturedEvents());
        ByteBuffer image = ByteBuffer.wrap(config.image()).order(BpfMap.order());
        assertEquals(16, image.capacity());
        assertEquals(0b111, image.getInt(0));
        assertEquals(50, image.getInt(4));
        assertEquals(1000, image.getLong(8));
        assertArrayEquals(ByteBuffer.allocate(16).order(ByteOrder.nativeOrder()).putInt(0, 7).putInt(4, 50).putLong(8, 1000).array(),
                config.image());
    }

    @Test
    void thresholds() {
        assertEquals(Duration.ofMillis(10), threshold(null));
        assertEquals(Duration.ofNanos(500), threshold("500ns"));
        assertEquals(Duration.ofNanos(1000), threshold("1µs"));
        assertEquals(Duration.ofMillis(250), threshold("250ms"));
        assertEquals(Duration.ofSeconds(2), threshold("2s"));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> threshold("10"));
        assertTrue(e.getMessage().startsWith("probeSettings.p.eventThreshold: expected a duration"), e.getMessage());
        assertEquals("10 ms", KernelEventConfig.describe(Duration.ofMillis(10)));
        assertEquals("1 µs", KernelEventConfig.describe(Duration.ofNanos(1000)));
    }

    @Test
    void eventsPerSecondIsAWholeNumberInRange() {
        for (Object bad : List.of(0, -1, 1_000_001, "100", 1.5)) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> KernelEventConfig.check("p", Map.of("eventsPerSecond", bad), false));
            assertTrue(e.getMessage().startsWith("probeSettings.p.eventsPerSecond:"), e.getMessage());
        }
    }

    private static Duration threshold(String value) {
        Map<String, Object> settings = value == null ? Map.of() : Map.of("eventThreshold", value);
        return KernelEventConfig.of("p", settings, TYPES, true, new CapturedEvents()).threshold();
    }
}
