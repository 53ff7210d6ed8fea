package dev.podnet.traffic;

import dev.podnet.bpf.BpfAttachment;
import dev.podnet.netlink.Rtnetlink;
import dev.podnet.netns.Netns;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One namespace as the traffic probe holds it: its counter slot and the devices its programs are on.
 * Only one collection thread works on a namespace at a time.
 */
final class PodDevices {
    /** A device as attached: identified by index and name, since a new device may take a freed index. */
    record Device(int ifindex, String name) {
        static Device of(Rtnetlink.Link link) {
            return new Device(link.ifindex(), link.name());
        }
    }

    private final Netns netns;
    private final int slot;
    private final Map<Device, List<BpfAttachment>> attached = new ConcurrentHashMap<>();

    PodDevices(Netns netns, int slot) {
        this.netns = netns;
        this.slot = slot;
    }

    /** The namespace as discovery found it when the slot was claimed (what entering it needs). */
    Netns netns() {
        return netns;
    }

    long inode() {
        return netns.inode();
    }

    int slot() {
        return slot;
    }

    Map<Device, List<BpfAttachment>> attached() {
        return attached;
    }

    int deviceCount() {
        return attached.size();
    }

    /** Whether the programs can sit on this device: not loopback, and a header the programs know. */
    static boolean eligible(Rtnetlink.Link link) {
        return link.name() != null && link.type() != Rtnetlink.Link.ARPHRD_LOOPBACK
                && (hasEthernetHeader(link) || LAYER3_TYPES.contains(link.type()));
    }

    static boolean hasEthernetHeader(Rtnetlink.Link link) {
        return link.type() == Rtnetlink.Link.ARPHRD_ETHER;
    }

    /** Devices whose packets start at the IP header: none (tun, wireguard), raw IP, IPIP, IP6 tunnels, GRE. */
    private static final java.util.Set<Integer> LAYER3_TYPES = java.util.Set.of(65534, 519, 768, 769, 778, 823);
}
