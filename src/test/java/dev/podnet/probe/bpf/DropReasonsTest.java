package dev.podnet.probe.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DropReasonsTest {
    private final DropReasons reasons = new DropReasons(
            Map.of(1L, "SKB_CONSUMED", 2L, "SKB_DROP_REASON_NOT_SPECIFIED", 12L, "SKB_DROP_REASON_NETFILTER_DROP",
                    0xffff0000L, "SKB_DROP_REASON_SUBSYS_MASK"),
            Map.of(0L, "SKB_DROP_REASON_SUBSYS_CORE", 2L, "SKB_DROP_REASON_SUBSYS_OPENVSWITCH"));

    @Test
    void namesLoseTheirPrefix() {
        assertEquals("NETFILTER_DROP", reasons.name(12));
        assertEquals("NOT_SPECIFIED", reasons.name(2));
        assertEquals("CONSUMED", reasons.name(1));
    }

    @Test
    void subsystemReasonsAreNamedBySubsystemAndCode() {
        assertEquals("OPENVSWITCH_3", reasons.name(2L << 16 | 3));
    }

    @Test
    void unknownValuesStayVisible() {
        assertEquals("UNKNOWN_500", reasons.name(500));
        assertEquals("UNKNOWN_" + (7L << 16 | 1), reasons.name(7L << 16 | 1), "unknown subsystem");
    }
}
