package dev.podnet.probe.bpf;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which drop reasons make a PACKET_DROP event: {@code probeSettings.packetloss.eventReasons}, a list of
 * reason names (as {@code podnet_packet_drops_total} labels them; a subsystem's name, e.g.
 * {@code OPENVSWITCH}, selects all its reasons) or {@code all}. Without the setting: every reason but the
 * {@link #ROUTINE} ones. Drops of packets to multicast or broadcast addresses make no events unless
 * {@code probeSettings.packetloss.eventMulticast: true}: they are mostly packets for a group nobody in the
 * namespace joined, and every device that comes up sends a few (MLD reports, neighbour discovery) that its
 * own namespace drops. Every drop is counted whatever this says; the kernel sends only the selected ones
 * to the ring buffer (packetloss.bpf.c's event_reasons).
 */
final class DropEventReasons {
    static final String SETTING = "eventReasons";
    static final String MULTICAST_SETTING = "eventMulticast";
    static final String ALL = "all";
    /**
     * Drops that a healthy node makes all the time, which say nothing about a pod's trouble, or which
     * another event already reports:
     * <ul>
     * <li>TCP's own bookkeeping of duplicates: TCP_OLD_DATA (a retransmission of data already received),
     * TCP_OLD_SEQUENCE, TCP_OLD_ACK (an ACK older than the last), TCP_OFOMERGE (out-of-order data already
     * queued), TCP_RESET (the received reset itself, freed once acted on: TCP_RESET_RECEIVED says it);</li>
     * <li>data still queued when a socket closes: SOCKET_CLOSE, QUEUE_PURGE (KubeSkoop ignores the same
     * frees by function, sk_stream_kill_queues and skb_queue_purge), and Unix sockets' UNIX_DISCONNECT,
     * UNIX_SKIP_OOB (not network traffic);</li>
     * <li>frames for someone else on a shared segment: OTHERHOST, UNICAST_IN_L2_MULTICAST,
     * IPV6_NDISC_NS_OTHERHOST, and IPV6DISABLED (IPv6 multicast on a device with IPv6 off).</li>
     * </ul>
     * NOT_SPECIFIED stays in: it is every drop in kernel code not yet converted to reasons, real drops
     * included; rate limits bound it like the others.
     */
    static final Set<String> ROUTINE = Set.of("TCP_OLD_DATA", "TCP_OLD_SEQUENCE", "TCP_OLD_ACK", "TCP_OFOMERGE",
            "TCP_RESET", "SOCKET_CLOSE", "QUEUE_PURGE", "UNIX_DISCONNECT", "UNIX_SKIP_OOB", "OTHERHOST",
            "UNICAST_IN_L2_MULTICAST", "IPV6_NDISC_NS_OTHERHOST", "IPV6DISABLED");
    /** Never drops: normal frees. */
    private static final Set<String> NOT_DROPS = Set.of("CONSUMED", "NOT_DROPPED_YET");
    static final int REASON_SLOTS = 1024;
    static final int SUBSYSTEM_SLOTS = 64;

    /** null: the default (all but routine). */
    private final Set<String> selected;
    private final boolean multicast;

    private DropEventReasons(Set<String> selected, boolean multicast) {
        this.selected = selected;
        this.multicast = multicast;
    }

    /**
     * @throws IllegalArgumentException naming the setting when it is not a list of reason names or "all"
     */
    static DropEventReasons of(Map<String, Object> settings) {
        Object group = settings.getOrDefault(MULTICAST_SETTING, false);
        if (!(group instanceof Boolean multicast)) {
            throw new IllegalArgumentException("probeSettings.packetloss." + MULTICAST_SETTING + ": expected true or false, got "
                    + group);
        }
        Object value = settings.get(SETTING);
        if (value == null) {
            return new DropEventReasons(null, multicast);
        }
        String field = "probeSettings.packetloss." + SETTING;
        if (ALL.equals(value)) {
            return new DropEventReasons(Set.of(ALL), multicast);
        }
        if (!(value instanceof List<?> list)) {
            throw new IllegalArgumentException(field + ": expected a list of drop reason names such as [NETFILTER_DROP, "
                    + "NO_SOCKET], or all; got " + value);
        }
        Set<String> names = new LinkedHashSet<>();
        for (Object item : list) {
            if (!(item instanceof String name) || !name.matches("[A-Z0-9_]+")) {
                throw new IllegalArgumentException(field + ": \"" + item + "\" is not a drop reason name (upper case, "
                        + "as podnet_packet_drops_total's reason label, e.g. NETFILTER_DROP)");
            }
            names.add(name);
        }
        return new DropEventReasons(names, multicast);
    }

    private boolean wants(String name) {
        if (NOT_DROPS.contains(name)) {
            return false;
        }
        if (selected == null) {
            return !ROUTINE.contains(name);
        }
        return selected.contains(ALL) || selected.contains(name);
    }

    /**
     * The .data.reasons image: one byte per slot (packetloss.bpf.c's reason_slot), 1 for a selected reason,
     * and a last one, 1 when drops of packets to groups make events too.
     */
    byte[] slots(DropReasons kernel) {
        byte[] slots = new byte[REASON_SLOTS + SUBSYSTEM_SLOTS + 1];
        slots[REASON_SLOTS + SUBSYSTEM_SLOTS] = (byte) (multicast ? 1 : 0);
        for (Map.Entry<Long, String> e : kernel.reasons().entrySet()) {
            if (e.getKey() >= 0 && e.getKey() < REASON_SLOTS && wants(e.getValue())) {
                slots[(int) (long) e.getKey()] = 1;
            }
        }
        for (Map.Entry<Long, String> e : kernel.subsystems().entrySet()) {
            if (e.getKey() > 0 && e.getKey() < SUBSYSTEM_SLOTS && wants(e.getValue())) {
                slots[REASON_SLOTS + (int) (long) e.getKey()] = 1;
            }
        }
        return slots;
    }

    /** Names in the setting that the running kernel does not define (another kernel's, or a typo). */
    List<String> unknown(DropReasons kernel) {
        List<String> unknown = new ArrayList<>();
        if (selected == null) {
            return unknown;
        }
        for (String name : selected) {
            if (!name.equals(ALL) && !kernel.reasons().containsValue(name) && !kernel.subsystems().containsValue(name)) {
                unknown.add(name);
            }
        }
        return unknown;
    }
}
