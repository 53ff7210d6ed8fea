package dev.podnet.netlink;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Qdisc and link dumps through NETLINK_ROUTE, and the pure parsers of their answers. */
public final class Rtnetlink {
    static final int RTM_NEWLINK = 16;
    static final int RTM_GETLINK = 18;
    static final int RTM_NEWQDISC = 36;
    static final int RTM_GETQDISC = 38;
    static final NetlinkMessages.DumpKind QDISC_DUMP =
            new NetlinkMessages.DumpKind(RTM_GETQDISC, "RTM_GETQDISC", RTM_NEWQDISC, "RTM_NEWQDISC");
    static final NetlinkMessages.DumpKind LINK_DUMP =
            new NetlinkMessages.DumpKind(RTM_GETLINK, "RTM_GETLINK", RTM_NEWLINK, "RTM_NEWLINK");

    /** sizeof(struct tcmsg) and sizeof(struct ifinfomsg): the fixed part before the attributes. */
    static final int TCMSG_BYTES = 20;
    static final int IFINFOMSG_BYTES = 16;

    static final int TCA_KIND = 1;
    static final int TCA_STATS = 3;
    static final int TCA_STATS2 = 7;
    static final int TCA_STATS_BASIC = 1;
    static final int TCA_STATS_QUEUE = 3;
    static final int TCA_STATS_PKT64 = 8;
    static final int IFLA_IFNAME = 3;

    private Rtnetlink() {
    }

    /** Every qdisc of the socket's namespace, on every device (an all-zero tcmsg filters nothing). */
    public static List<QdiscStats> qdiscs(NetlinkSocket socket) throws IOException {
        List<QdiscStats> found = new ArrayList<>();
        socket.dump(QDISC_DUMP, new byte[TCMSG_BYTES], payload -> found.add(parseQdisc(payload)));
        return found;
    }

    /** Device names by ifindex in the socket's namespace. */
    public static Map<Integer, String> linkNames(NetlinkSocket socket) throws IOException {
        Map<Integer, String> names = new HashMap<>();
        socket.dump(LINK_DUMP, new byte[IFINFOMSG_BYTES], payload -> {
            Link link = parseLink(payload);
            if (link.name() != null) {
                names.put(link.ifindex(), link.name());
            }
        });
        return names;
    }

    /** Every device of the socket's namespace. */
    public static List<Link> links(NetlinkSocket socket) throws IOException {
        List<Link> links = new ArrayList<>();
        socket.dump(LINK_DUMP, new byte[IFINFOMSG_BYTES], payload -> links.add(parseLink(payload)));
        return links;
    }

    /**
     * A device as far as podnet needs it: its index, name (null if the answer carried no IFLA_IFNAME) and
     * hardware type ({@code ARPHRD_*}: 1 Ethernet, 772 loopback, 65534 none).
     */
    public record Link(int ifindex, String name, int type) {
        public static final int ARPHRD_ETHER = 1;
        public static final int ARPHRD_LOOPBACK = 772;
    }

    /** One RTM_NEWLINK payload: {@code struct ifinfomsg} (type, index), then attributes, of which only IFLA_IFNAME is read. */
    public static Link parseLink(MemorySegment payload) throws MalformedNetlinkException {
        MemorySegment header = requireLength(payload, IFINFOMSG_BYTES, "RTM_NEWLINK", "ifinfomsg");
        int ifindex = NetlinkBytes.s32(header, 4);
        MemorySegment[] attrs = NetlinkAttributes.index(payload.asSlice(IFINFOMSG_BYTES), IFLA_IFNAME, "RTM_NEWLINK");
        return new Link(ifindex, attrs[IFLA_IFNAME] == null ? null : NetlinkBytes.cString(attrs[IFLA_IFNAME]),
                NetlinkBytes.u16(header, 2));
    }

    /**
     * One RTM_NEWQDISC payload: {@code struct tcmsg}, then attributes. Counters come from TCA_STATS2
     * (TCA_STATS_BASIC, TCA_STATS_PKT64 when packets outgrew 32 bits, TCA_STATS_QUEUE); only a kernel
     * without TCA_STATS2 makes us fall back to the old {@code struct tc_stats}.
     */
    public static QdiscStats parseQdisc(MemorySegment payload) throws MalformedNetlinkException {
        requireLength(payload, TCMSG_BYTES, "RTM_NEWQDISC", "tcmsg");
        int ifindex = NetlinkBytes.s32(payload, 4);
        int handle = NetlinkBytes.s32(payload, 8);
        int parent = NetlinkBytes.s32(payload, 12);
        MemorySegment[] attrs = NetlinkAttributes.index(payload.asSlice(TCMSG_BYTES), TCA_STATS2, "RTM_NEWQDISC");
        if (attrs[TCA_KIND] == null) {
            throw new MalformedNetlinkException("RTM_NEWQDISC message for ifindex " + ifindex + " has no TCA_KIND");
        }
        String kind = NetlinkBytes.cString(attrs[TCA_KIND]);
        MemorySegment[] stats2 = attrs[TCA_STATS2] == null ? null
                : NetlinkAttributes.index(attrs[TCA_STATS2], TCA_STATS_PKT64, "TCA_STATS2 of RTM_NEWQDISC");
        if (stats2 != null && stats2[TCA_STATS_BASIC] != null && stats2[TCA_STATS_QUEUE] != null) {
            // gnet_stats_basic {u64 bytes; u32 packets}; gnet_stats_queue {qlen, backlog, drops, requeues, overlimits}
            MemorySegment basic = requireLength(stats2[TCA_STATS_BASIC], 12, "RTM_NEWQDISC", "TCA_STATS_BASIC");
            MemorySegment queue = requireLength(stats2[TCA_STATS_QUEUE], 20, "RTM_NEWQDISC", "TCA_STATS_QUEUE");
            long packets = stats2[TCA_STATS_PKT64] != null
                    ? NetlinkBytes.u64(requireLength(stats2[TCA_STATS_PKT64], 8, "RTM_NEWQDISC", "TCA_STATS_PKT64"), 0)
                    : NetlinkBytes.u32(basic, 8);
            return new QdiscStats(ifindex, kind, handle, parent, NetlinkBytes.u64(basic, 0), packets,
                    NetlinkBytes.u32(queue, 8), NetlinkBytes.u32(queue, 12), NetlinkBytes.u32(queue, 16),
                    NetlinkBytes.u32(queue, 0), NetlinkBytes.u32(queue, 4));
        }
        if (attrs[TCA_STATS] != null) {
            // tc_stats {u64 bytes; u32 packets, drops, overlimits, bps, pps, qlen, backlog}
            MemorySegment old = requireLength(attrs[TCA_STATS], 36, "RTM_NEWQDISC", "TCA_STATS");
            return new QdiscStats(ifindex, kind, handle, parent, NetlinkBytes.u64(old, 0), NetlinkBytes.u32(old, 8),
                    NetlinkBytes.u32(old, 12), -1, NetlinkBytes.u32(old, 16), NetlinkBytes.u32(old, 28),
                    NetlinkBytes.u32(old, 32));
        }
        throw new MalformedNetlinkException("RTM_NEWQDISC message for " + kind + " on ifindex " + ifindex
                + " has neither TCA_STATS2 nor TCA_STATS");
    }

    private static MemorySegment requireLength(MemorySegment s, int bytes, String message, String part)
            throws MalformedNetlinkException {
        if (s.byteSize() < bytes) {
            throw new MalformedNetlinkException("truncated " + message + " message: " + part + " has "
                    + s.byteSize() + " bytes, needs " + bytes);
        }
        return s;
    }
}
