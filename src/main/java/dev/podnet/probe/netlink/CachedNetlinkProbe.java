package dev.podnet.probe.netlink;

import dev.podnet.netlink.NetlinkSocket;
import dev.podnet.netlink.NetlinkSocketCache;
import dev.podnet.probe.MetricSink;
import dev.podnet.probe.NodeView;
import dev.podnet.probe.Probe;
import dev.podnet.probe.ProbeContext;
import dev.podnet.probe.ProbeInfo;
import dev.podnet.probe.ProbeUnavailableException;
import java.io.IOException;

/**
 * What the netlink probes share: one dump in podnet's own namespace at start tells whether the kernel
 * answers at all; after that, one kept socket per namespace ({@link NetlinkSocketCache}), whose sockets
 * the node-wide hook lets go for namespaces that are gone, and which {@link #close} closes.
 */
abstract class CachedNetlinkProbe implements Probe {
    /** A dump on a socket, to check at start that the kernel answers. */
    @FunctionalInterface
    interface Check {
        void dump(NetlinkSocket socket) throws IOException;
    }

    private final ProbeInfo info;
    private final int protocol;
    private final Check check;
    private final String whatFailed;
    private volatile NetlinkSocketCache sockets;

    /** @param whatFailed names the check in the unavailable reason ({@code "RTM_GETQDISC dump"}) */
    CachedNetlinkProbe(ProbeInfo info, int protocol, Check check, String whatFailed) {
        this.info = info;
        this.protocol = protocol;
        this.check = check;
        this.whatFailed = whatFailed;
    }

    @Override
    public final ProbeInfo info() {
        return info;
    }

    @Override
    public final void start(ProbeContext context) throws ProbeUnavailableException {
        try (NetlinkSocket socket = NetlinkSocket.open(protocol)) {
            check.dump(socket);
        } catch (IOException e) {
            throw new ProbeUnavailableException(whatFailed + " failed: " + e.getMessage());
        }
        this.sockets = new NetlinkSocketCache(context.enterer(), protocol);
    }

    /** The kept sockets; set by {@link #start}. */
    final NetlinkSocketCache sockets() {
        return sockets;
    }

    @Override
    public final void collectNode(NodeView node, MetricSink out) {
        NetlinkSocketCache current = sockets;
        if (current != null) {
            current.retainOnly(node.namespaces());
        }
    }

    @Override
    public final void close() {
        NetlinkSocketCache current = sockets;
        if (current != null) {
            current.close();
        }
    }
}
