package dev.podnet.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class HealthTargetTest {
    private static HealthTarget target(String[] labels, String ip, int threshold) {
        return new HealthTarget("t/ns/pod", labels, InetAddress.ofLiteral(ip), CheckKind.PING, threshold,
                Duration.ofSeconds(1), 0, null);
    }

    @Test
    void labelsAreCopiedAndComparedByContent() {
        String[] labels = {"task", "t", "pod", "a"};
        HealthTarget t = target(labels, "10.0.0.1", 3);
        labels[1] = "changed";
        assertEquals("t", t.labels()[1]);
        assertEquals(t, target(new String[] {"task", "t", "pod", "a"}, "10.0.0.1", 3));
        assertEquals(t.hashCode(), target(new String[] {"task", "t", "pod", "a"}, "10.0.0.1", 3).hashCode());
        assertNotEquals(t, target(new String[] {"task", "t", "pod", "b"}, "10.0.0.1", 3));
    }

    @Test
    void sameCheckIgnoresLabelsOnly() {
        HealthTarget t = target(new String[] {"pod", "a"}, "10.0.0.1", 3);
        assertTrue(t.sameCheck(target(new String[] {"pod", "b"}, "10.0.0.1", 3)));
        assertFalse(t.sameCheck(target(new String[] {"pod", "a"}, "10.0.0.2", 3)));
        assertFalse(t.sameCheck(target(new String[] {"pod", "a"}, "10.0.0.1", 2)));
    }

    @Test
    void inputsThatCannotBeAnyTarget() {
        assertThrows(IllegalArgumentException.class, () -> target(new String[] {"odd"}, "10.0.0.1", 1));
        assertThrows(IllegalArgumentException.class, () -> new HealthTarget("k", null, InetAddress.ofLiteral("10.0.0.1"),
                CheckKind.PING, 1, Duration.ZERO, 0, ""));
        assertThrows(NullPointerException.class, () -> new HealthTarget("k", null, null, CheckKind.PING, 1,
                Duration.ofSeconds(1), 0, ""));
        assertEquals(1, target(null, "10.0.0.1", -5).failureThreshold());
        assertEquals("", target(null, "10.0.0.1", 1).path());
    }
}
