package dev.podnet.probe.netlink;

import dev.podnet.netlink.NetlinkSocket;
import dev.podnet.netlink.NetlinkSocketCache;
import dev.podnet.netlink.SockDiag;
import dev.podnet.netlink.TcpSocketPresence;
import dev.podnet.netlink.TcpState;
import dev.podnet.netlink.TcpSummary;
import dev.podnet.netns.Netns;
import dev.podnet.netns.NetnsReader;
import dev.podnet.probe.MetricSink;
import dev.podnet.probe.Overhead;
import dev.podnet.probe.ProbeInfo;
import dev.podnet.probe.ProbeSource;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * TCP sockets of each namespace by state, and the bytes waiting in established sockets' queues, from a
 * sock_diag dump made inside the namespace (no /proc/net/tcp text to format and parse).
 *
 * <p>A state is exported while the namespace has sockets in it: most of the twelve are empty most of the
 * time in most pods, and twelve zeros per pod would say nothing an absent series does not. ESTABLISHED
 * is always there, 0 or not, so every namespace has a TCP socket series to graph or alert on.
 *
 * <p>Each namespace's socket is kept between collections ({@link NetlinkSocketCache}); the node-wide
 * hook only closes the sockets of namespaces that are gone.
 */
public final class TcpSummaryProbe extends CachedNetlinkProbe {
    private static final ProbeInfo INFO = new ProbeInfo("tcpsummary", ProbeSource.NETLINK, Overhead.LOW, true, true,
            true, "TCP sockets by state and established sockets' queued bytes, IPv4 and IPv6 (sock_diag)");

    /** One dump of our own namespace at start tells whether sock_diag answers for TCP (inet_diag built in). */
    public TcpSummaryProbe() {
        super(INFO, NetlinkSocket.NETLINK_SOCK_DIAG, SockDiag::tcpSummary, "sock_diag TCP dump");
    }

    @Override
    public void collectNamespace(Netns netns, NetnsReader reader, MetricSink out) throws Exception {
        // Without a TCP socket in the namespace (sockstat says so) the dump, a walk of the host-wide hash
        // tables, is skipped. Sockstat is read through a process inside when there is one; a namespace
        // reached only through its mount is checked inside, in the visit that opens its socket, and
        // dumped from then on (reading its sockstat would mean entering it every time).
        TcpSummary summary = null;
        if (netns.anyPid() < 0 || reader == null || tcpSocketsIn(reader)) {
            summary = sockets().withSocket(netns, TcpSocketPresence::anyHere, SockDiag::tcpSummary);
        }
        if (summary == null) {
            summary = TcpSummary.EMPTY;
        }
        for (TcpState state : TcpState.ALL) {
            long sockets = summary.sockets(state);
            if (sockets > 0 || state == TcpState.ESTABLISHED) {
                out.gauge("podnet_tcp_sockets", "TCP sockets in this network namespace by state, IPv4 and IPv6 "
                        + "(sock_diag); a state without sockets is left out, established excepted.", sockets,
                        "state", state.label());
            }
        }
        out.gauge("podnet_tcp_established_rx_queue_bytes",
                "Bytes received but not yet read by the application, summed over established TCP sockets.",
                summary.establishedRxQueueBytes());
        out.gauge("podnet_tcp_established_tx_queue_bytes",
                "Bytes written but not yet acknowledged by the peer, summed over established TCP sockets.",
                summary.establishedTxQueueBytes());
        out.gauge("podnet_tcp_listen_accept_queue_connections",
                "Connections waiting to be accepted, summed over listening TCP sockets.",
                summary.acceptQueue());
    }

    private static boolean tcpSocketsIn(NetnsReader reader) throws IOException {
        return TcpSocketPresence.any(text(reader.read("net/sockstat")), text(reader.read("net/sockstat6")));
    }

    /** An absent file is empty text: sockstat6 for "no IPv6", sockstat for "cannot tell", hence a dump. */
    private static String text(byte[] bytes) {
        return bytes == null ? "" : new String(bytes, StandardCharsets.US_ASCII);
    }
}
