package dev.podnet.probe.netlink;

import dev.podnet.netlink.NetlinkSocket;
import dev.podnet.netlink.NetlinkSocketCache;
import dev.podnet.netlink.QdiscStats;
import dev.podnet.netlink.Rtnetlink;
import dev.podnet.netns.Netns;
import dev.podnet.netns.NetnsReader;
import dev.podnet.probe.MetricSink;
import dev.podnet.probe.Overhead;
import dev.podnet.probe.ProbeInfo;
import dev.podnet.probe.ProbeSource;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Queueing disciplines of each namespace's devices and their counters, from an RTM_GETQDISC dump made
 * inside the namespace. Device names come from an RTM_GETLINK dump on the same socket.
 *
 * <p>{@code noqueue} is left out: it is the default of veth, loopback and virtual devices, packets pass
 * it without being queued and its counters stay zero, so it would only add idle series for every pod.
 *
 * <p>Each namespace's socket is kept between collections ({@link NetlinkSocketCache}); the node-wide
 * hook only closes the sockets of namespaces that are gone.
 */
public final class QdiscProbe extends CachedNetlinkProbe {
    private static final ProbeInfo INFO = new ProbeInfo("qdisc", ProbeSource.NETLINK, Overhead.LOW, true, true, true,
            "Qdisc bytes, packets, drops, requeues, overlimits, qlen, backlog per device (rtnetlink)");
    private static final String[] COUNTERS = {"bytes", "packets", "drops", "requeues", "overlimits"};
    private static final String[] COUNTER_HELP = {
        "Bytes sent through the qdisc.",
        "Packets sent through the qdisc.",
        "Packets the qdisc dropped.",
        "Packets the qdisc had to put back because the device could not take them.",
        "Times the qdisc held packets back because they exceeded its limits (shaping, rate).",
    };

    public QdiscProbe() {
        super(INFO, NetlinkSocket.NETLINK_ROUTE, Rtnetlink::qdiscs, "RTM_GETQDISC dump");
    }

    @Override
    public void collectNamespace(Netns netns, NetnsReader reader, MetricSink out) throws Exception {
        Dump dump = sockets().withSocket(netns, QdiscProbe::dump);
        for (QdiscStats q : dump.qdiscs()) {
            String device = dump.devices().get(q.ifindex());
            if (device == null) {
                continue; // the device went away between the two dumps
            }
            String[] labels = {"device", device, "kind", q.kind(), "handle", q.handleLabel(), "parent", q.parentLabel()};
            long[] counters = {q.bytes(), q.packets(), q.drops(), q.requeues(), q.overlimits()};
            for (int i = 0; i < COUNTERS.length; i++) {
                if (counters[i] >= 0) {
                    out.counter("podnet_qdisc_" + COUNTERS[i] + "_total", COUNTER_HELP[i], counters[i], labels);
                }
            }
            out.gauge("podnet_qdisc_qlen", "Packets waiting in the qdisc now.", q.qlen(), labels);
            out.gauge("podnet_qdisc_backlog_bytes", "Bytes waiting in the qdisc now.", q.backlogBytes(), labels);
        }
    }

    /** The qdiscs other than noqueue, and the names of the devices (only needed when there are any). */
    private record Dump(List<QdiscStats> qdiscs, Map<Integer, String> devices) {
    }

    private static Dump dump(NetlinkSocket socket) throws IOException {
        List<QdiscStats> qdiscs = new ArrayList<>();
        for (QdiscStats q : Rtnetlink.qdiscs(socket)) {
            if (!q.kind().equals("noqueue")) {
                qdiscs.add(q);
            }
        }
        // Most pods have only noqueue devices: then the link dump is not needed at all.
        return new Dump(qdiscs, qdiscs.isEmpty() ? Map.of() : Rtnetlink.linkNames(socket));
    }
}
