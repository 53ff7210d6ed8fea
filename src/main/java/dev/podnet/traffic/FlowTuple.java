package dev.podnet.traffic;

import dev.podnet.probe.IpText;

/**
 * A flow as the kernel keys it: the pod's namespace, the protocol, and the pod's own (local) and the
 * peer's (remote) address and port. Addresses are IPv6 or IPv4-mapped, in two big-endian halves; a port
 * is 0 where it was folded away or the protocol has none.
 */
record FlowTuple(long netns, int protocol, int family, long localHigh, long localLow, int localPort, long remoteHigh,
                 long remoteLow, int remotePort) {

    boolean ipv4() {
        return family == FlowLayout.FAMILY_IPV4;
    }

    /**
     * The tuple with the larger port folded to 0, as the kernel does for {@code flowKey: service}; a tuple
     * already folded (or without ports) stays as it is.
     */
    FlowTuple folded() {
        if (localPort == 0 || remotePort == 0) {
            return this;
        }
        if (localPort > remotePort) {
            return new FlowTuple(netns, protocol, family, localHigh, localLow, 0, remoteHigh, remoteLow, remotePort);
        }
        if (remotePort > localPort) {
            return new FlowTuple(netns, protocol, family, localHigh, localLow, localPort, remoteHigh, remoteLow, 0);
        }
        return this;
    }

    String localAddress() {
        return IpText.format(localHigh, localLow);
    }

    String remoteAddress() {
        return IpText.format(remoteHigh, remoteLow);
    }
}
