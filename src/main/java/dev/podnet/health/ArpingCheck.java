package dev.podnet.health;

import dev.podnet.netlink.NetlinkException;
import dev.podnet.netlink.NetlinkSocket;
import dev.podnet.netlink.RouteLookup;
import dev.podnet.netns.Libc;
import java.io.IOException;
import java.net.Inet4Address;

/**
 * An ARP request on the node's side of the pod's link, as {@code arping -I <dev>} sends it: the device is
 * the one the node routes the pod IP through (asked of the kernel with RTM_GETROUTE, the exact answer
 * {@code ip route get} gives), the sender address its preferred source, or 0.0.0.0 (an RFC 5227 probe)
 * when the route names none. Healthy when an ARP reply from the pod IP arrives in time: the pod's stack
 * is alive on that link, whatever its firewall does to IP.
 */
final class ArpingCheck {
    private ArpingCheck() {
    }

    static CheckOutcome run(HealthTarget target, CheckRun run) throws IOException {
        if (!(target.address() instanceof Inet4Address pod)) {
            return CheckOutcome.error("ARPING needs an IPv4 address, " + Addresses.literal(target.address())
                    + " is IPv6 (IPv6 has neighbour discovery instead of ARP)");
        }
        String ip = Addresses.literal(pod);
        RouteLookup.Route route;
        try (NetlinkSocket netlink = run.origin().open(() -> NetlinkSocket.open(NetlinkSocket.NETLINK_ROUTE))) {
            route = RouteLookup.lookup(netlink, pod);
        } catch (NetlinkException e) {
            return CheckOutcome.error("no route to " + ip + ": " + Libc.strerror(e.errno()));
        }
        if (route.type() == RouteLookup.Route.RTN_LOCAL) {
            return CheckOutcome.error(ip + " is an address of the node itself");
        }
        if (route.type() != RouteLookup.Route.RTN_UNICAST || route.outputInterface() <= 0) {
            return CheckOutcome.error("no device to send ARP for " + ip + " on (route type " + route.type() + ")");
        }
        int ifindex = route.outputInterface();
        Inet4Address source = route.preferredSource() instanceof Inet4Address s ? s : null;
        String what = "AF_PACKET, SOCK_DGRAM, ETH_P_ARP";
        int fd = run.origin().open(() -> SocketCalls.socket(SocketCalls.AF_PACKET, SocketCalls.SOCK_DGRAM,
                RawSocket.htons(SocketCalls.ETH_P_ARP), what));
        try (RawSocket socket = new RawSocket(fd, what)) {
            socket.bindToLink(ifindex, SocketCalls.ETH_P_ARP);
            byte[] mac = socket.boundLinkAddress();
            if (mac.length != 6) {
                return CheckOutcome.error("device " + ifindex + " that routes " + ip + " has no Ethernet address");
            }
            byte[] in = new byte[2048];
            while (socket.receive(in) >= 0) {
                // frames of any device that arrived before the bind: not answers to this request
            }
            long start = System.nanoTime();
            socket.sendToLink(ArpFrames.request(mac, source, pod), ifindex, SocketCalls.ETH_P_ARP, ArpFrames.BROADCAST);
            while (socket.awaitReadable(run.deadlineNanos(), run.stopped())) {
                for (int n = socket.receive(in); n >= 0; n = socket.receive(in)) {
                    if (ArpFrames.isReplyFrom(in, n, pod)) {
                        return CheckOutcome.healthy(start);
                    }
                }
            }
            return CheckOutcome.noAnswer("no ARP reply from " + ip + " on device " + ifindex + " in time"
                    + (route.gateway() != null ? " (the node routes it via " + Addresses.literal(route.gateway()) + ")" : ""));
        }
    }
}
