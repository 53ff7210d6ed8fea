package dev.podnet.probe.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DropEventReasonsTest {
    private static final DropReasons KERNEL = new DropReasons(Map.of(
            0L, "SKB_NOT_DROPPED_YET", 1L, "SKB_CONSUMED", 2L, "SKB_DROP_REASON_NOT_SPECIFIED",
            3L, "SKB_DROP_REASON_NO_SOCKET", 12L, "SKB_DROP_REASON_NETFILTER_DROP", 13L, "SKB_DROP_REASON_OTHERHOST",
            33L, "SKB_DROP_REASON_TCP_OLD_DATA"),
            Map.of(0L, "SKB_DROP_REASON_SUBSYS_CORE", 3L, "SKB_DROP_REASON_SUBSYS_OPENVSWITCH"));

    @Test
    void byDefaultEveryReasonButTheRoutineOnesAndNeverNormalFrees() {
        byte[] slots = DropEventReasons.of(Map.of()).slots(KERNEL);
        assertEquals(DropEventReasons.REASON_SLOTS + DropEventReasons.SUBSYSTEM_SLOTS + 1, slots.length);
        assertEquals(0, slots[slots.length - 1], "no events for drops of packets to groups");
        assertEquals(0, slots[0]);
        assertEquals(0, slots[1]);
        assertEquals(1, slots[2], "NOT_SPECIFIED: real drops in code without reasons");
        assertEquals(1, slots[3]);
        assertEquals(1, slots[12]);
        assertEquals(0, slots[13], "OTHERHOST is routine");
        assertEquals(0, slots[33], "TCP_OLD_DATA is routine");
        assertEquals(1, slots[DropEventReasons.REASON_SLOTS + 3], "subsystems' reasons");
        assertEquals(0, slots[DropEventReasons.REASON_SLOTS], "the core subsystem is the enum itself");
    }

    @Test
    void aListSelectsExactlyItsReasonsAndSubsystems() {
        DropEventReasons reasons = DropEventReasons.of(Map.of(DropEventReasons.SETTING,
                List.of("NETFILTER_DROP", "TCP_OLD_DATA", "OPENVSWITCH", "FROM_A_NEWER_KERNEL")));
        byte[] slots = reasons.slots(KERNEL);
        int selected = 0;
        for (byte b : slots) {
            selected += b;
        }
        assertEquals(3, selected);
        assertEquals(1, slots[12]);
        assertEquals(1, slots[33]);
        assertEquals(1, slots[DropEventReasons.REASON_SLOTS + 3]);
        assertEquals(List.of("FROM_A_NEWER_KERNEL"), reasons.unknown(KERNEL));
    }

    @Test
    void allSelectsEveryDropButNotNormalFrees() {
        byte[] slots = DropEventReasons.of(Map.of(DropEventReasons.SETTING, "all")).slots(KERNEL);
        assertEquals(0, slots[1]);
        assertEquals(1, slots[13]);
        assertEquals(1, slots[33]);
    }

    @Test
    void eventMulticastSetsTheLastSlot() {
        byte[] slots = DropEventReasons.of(Map.of(DropEventReasons.MULTICAST_SETTING, true)).slots(KERNEL);
        assertEquals(1, slots[slots.length - 1]);
        assertEquals(1, slots[12]);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DropEventReasons.of(Map.of(DropEventReasons.MULTICAST_SETTING, "yes")));
        assertEquals("probeSettings.packetloss.eventMulticast: expected true or false, got yes", e.getMessage());
    }

    @Test
    void malformedSettingsNameTheField() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DropEventReasons.of(Map.of(DropEventReasons.SETTING, "NETFILTER_DROP")));
        assertTrue(e.getMessage().startsWith("probeSettings.packetloss.eventReasons: expected a list"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> DropEventReasons.of(Map.of(DropEventReasons.SETTING, List.of("netfilter drop"))));
        assertTrue(e.getMessage().contains("\"netfilter drop\" is not a drop reason name"), e.getMessage());
    }
}
