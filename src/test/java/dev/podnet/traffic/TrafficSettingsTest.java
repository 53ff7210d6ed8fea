package dev.podnet.traffic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class TrafficSettingsTest {
    private final TrafficProbe probe = new TrafficProbe();

    @Test
    void defaults() {
        TrafficSettings s = TrafficSettings.of("traffic", Map.of());
        assertEquals(512, s.maxNamespaces());
        assertFalse(s.perPodHistograms());
        assertEquals(TrafficSettings.AttachMode.AUTO, s.attach());
    }

    @Test
    void givenValues() {
        TrafficSettings s = TrafficSettings.of("traffic", Map.of("maxNamespaces", 1024, "perPodHistograms", true,
                "attach", "tc"));
        assertEquals(1024, s.maxNamespaces());
        assertTrue(s.perPodHistograms());
        assertEquals(TrafficSettings.AttachMode.TC, s.attach());
    }

    @Test
    void badValuesAreRefusedWithTheSettingNamed() {
        assertEquals("probeSettings.traffic.maxNamespaces: expected a whole number from 1 to 65536, got 0",
                assertThrows(IllegalArgumentException.class, () -> probe.checkSettings(Map.of("maxNamespaces", 0))).getMessage());
        assertEquals("probeSettings.traffic.attach: expected auto, tcx or tc, got netkit",
                assertThrows(IllegalArgumentException.class, () -> probe.checkSettings(Map.of("attach", "netkit"))).getMessage());
        assertEquals("probeSettings.traffic.perPodHistograms: expected true or false, got yes",
                assertThrows(IllegalArgumentException.class, () -> probe.checkSettings(Map.of("perPodHistograms", "yes"))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> probe.checkSettings(Map.of("sampleEvery", 4)))
                .getMessage().startsWith("probeSettings.traffic: unknown setting \"sampleEvery\""));
    }
}
