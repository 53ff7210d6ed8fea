package dev.podnet.probe.netlink;

import dev.podnet.netlink.NetlinkSocket;
import dev.podnet.netlink.QdiscStats;
import dev.podnet.netlink.Rtnetlink;
import dev.podnet.netns.Netns;
import dev.podnet.netns.NetnsEnterer;
import dev.podnet.netns.NetnsReader;
import dev.podnet.probe.MetricSink;
import dev.podnet.probe.Overhead;
import dev.podnet.probe.Probe;
import dev.podnet.probe.ProbeContext;
import dev.podnet.probe.ProbeInfo;
import dev.podnet.probe.ProbeSource;
import dev.podnet.probe.ProbeUnavailableException;
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
 */
public final class QdiscProbe implements Probe {
    private static final ProbeInfo INFO = new ProbeInfo("qdisc", ProbeSource.NETLINK, Overhead.LOW, true, true, false,
            "Qdisc bytes, packets, drops, requeues, overlimits, qlen, backlog per device (rtnetlink)");
    private static final String[] COUNTERS = {"bytes", "packets", "drops", "requeues", "overlimits"};
    private static final String[] COUNTER_HELP = {
        "Bytes sent through the qdisc.",
        "Packets sent through the qdisc.",
        "Packets the qdisc dropped.",
        "Packets the qdisc had to put back because the device could not take them.",
        "Times the qdisc held packets back because they exceeded its limits (shaping, rate).",
    };

    private volatile NetnsEnterer enterer;

    @Override
    public ProbeInfo info() {
        return INFO;
    }

    @Override
    public void start(ProbeContext context) throws ProbeUnavailableException {
        try (NetlinkSocket socket = NetlinkSocket.open(NetlinkSocket.NETLINK_ROUTE)) {
            Rtnetlink.qdiscs(socket);
        } catch (IOException e) {
            throw new ProbeUnavailableException("RTM_GETQDISC dump failed: " + e.getMessage());
        }
        this.enterer = context.enterer();
    }

    @Override
    public void collectNamespace(Netns netns, NetnsReader reader, MetricSink out) throws Exception {
        List<QdiscStats> qdiscs = new ArrayList<>();
        Map<Integer, String> devices = Map.of();
        try (NetlinkSocket socket = NetlinkSocket.openIn(enterer, netns, NetlinkSocket.NETLINK_ROUTE)) {
            for (QdiscStats q : Rtnetlink.qdiscs(socket)) {
                if (!q.kind().equals("noqueue")) {
                    qdiscs.add(q);
                }
            }
            // Most pods have only noqueue devices: then the link dump is not needed at all.
            if (!qdiscs.isEmpty()) {
                devices = Rtnetlink.linkNames(socket);
            }
        }
        for (QdiscStats q : qdiscs) {
            String device = devices.get(q.ifindex());
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
}
