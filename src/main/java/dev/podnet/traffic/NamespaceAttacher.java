package dev.podnet.traffic;

import dev.podnet.bpf.BpfAttachment;
import dev.podnet.bpf.BpfException;
import dev.podnet.netlink.NetlinkSocket;
import dev.podnet.netlink.NetlinkSocketCache;
import dev.podnet.netlink.Rtnetlink;
import dev.podnet.netns.Netns;
import dev.podnet.netns.NetnsEnterer;
import dev.podnet.netns.NetnsVanishedException;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Keeps the traffic programs on every device of every pod namespace: at each collection a namespace's
 * devices are listed on its kept route socket (no setns), new ones get the programs (one visit inside
 * the namespace), removed ones lose them, and namespaces that are gone give their slot back.
 */
final class NamespaceAttacher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(NamespaceAttacher.class.getName());
    private static final int ENODEV = 19;

    private final TrafficObject program;
    private final NetnsEnterer enterer;
    private final NetlinkSocketCache sockets;
    private final NetnsSlots slots;
    private final Map<Long, PodDevices> namespaces = new ConcurrentHashMap<>();
    private final Set<Long> overCapacity = ConcurrentHashMap.newKeySet();
    private final AtomicLong attachErrors = new AtomicLong();
    /** The flow mode tasks want per namespace, and the one each assigned namespace has in the kernel. */
    private volatile Map<Long, FlowMode> wantedFlowModes = Map.of();
    private final Map<Long, FlowMode> flowModes = new ConcurrentHashMap<>();
    private volatile String lastError;

    NamespaceAttacher(TrafficObject program, NetnsEnterer enterer, int capacity) {
        this.program = program;
        this.enterer = enterer;
        this.sockets = new NetlinkSocketCache(enterer, NetlinkSocket.NETLINK_ROUTE);
        this.slots = new NetnsSlots(capacity);
    }

    /**
     * Brings the namespace's devices in step.
     *
     * @throws NetnsVanishedException when the namespace went away meanwhile (not an error)
     */
    void sync(Netns netns) throws IOException, BpfException {
        List<Rtnetlink.Link> links = sockets.withSocket(netns, Rtnetlink::links);
        Map<PodDevices.Device, Rtnetlink.Link> wanted = new HashMap<>();
        for (Rtnetlink.Link link : links) {
            if (PodDevices.eligible(link)) {
                wanted.put(PodDevices.Device.of(link), link);
            }
        }
        PodDevices pod = namespaces.get(netns.inode());
        if (pod == null) {
            if (wanted.isEmpty()) {
                return; // loopback only: nothing to count, no slot taken until a device comes
            }
            pod = claim(netns);
            if (pod == null) {
                return;
            }
        }
        for (PodDevices.Device gone : new ArrayList<>(pod.attached().keySet())) {
            if (!wanted.containsKey(gone)) {
                detach(netns, pod.attached().remove(gone));
            }
        }
        List<Rtnetlink.Link> added = new ArrayList<>();
        for (Map.Entry<PodDevices.Device, Rtnetlink.Link> e : wanted.entrySet()) {
            if (!pod.attached().containsKey(e.getKey())) {
                added.add(e.getValue());
            }
        }
        if (!added.isEmpty()) {
            attach(netns, pod, added);
        }
    }

    private PodDevices claim(Netns netns) throws BpfException {
        OptionalInt slot = slots.acquire(netns.inode());
        if (slot.isEmpty()) {
            overCapacity.add(netns.inode());
            return null;
        }
        overCapacity.remove(netns.inode());
        FlowMode mode = wantedFlowModes.getOrDefault(netns.inode(), FlowMode.NONE);
        program.assign(netns.inode(), slot.getAsInt(), mode);
        flowModes.put(netns.inode(), mode);
        PodDevices pod = new PodDevices(netns, slot.getAsInt());
        namespaces.put(netns.inode(), pod);
        return pod;
    }

    private void attach(Netns netns, PodDevices pod, List<Rtnetlink.Link> links) throws IOException {
        enterer.call(netns, () -> {
            for (Rtnetlink.Link link : links) {
                try {
                    pod.attached().put(PodDevices.Device.of(link),
                            program.attach(link.ifindex(), PodDevices.hasEthernetHeader(link)));
                } catch (BpfException e) {
                    if (e.errno() != ENODEV) { // gone since the dump: the next collection will not list it
                        attachErrors.incrementAndGet();
                        lastError = "namespace " + netns.inode() + " device " + link.name() + ": " + e.getMessage();
                        LOG.warning("traffic: " + lastError);
                    }
                }
            }
            return null;
        });
    }

    /** Detaches; clsact filters inside their namespace, where their ifindex means that device. */
    private void detach(Netns netns, List<BpfAttachment> links) {
        if (links == null) {
            return;
        }
        if (!program.usesTcx()) {
            try {
                enterer.call(netns, () -> {
                    links.forEach(BpfAttachment::close);
                    return null;
                });
                return;
            } catch (IOException e) {
                // the namespace is gone, and its devices with their filters
            }
        }
        links.forEach(BpfAttachment::close);
    }

    /**
     * Makes the kernel keep the flows of exactly the namespaces in {@code wanted}, each in its mode;
     * namespaces assigned later get theirs when they are.
     */
    void applyFlowModes(Map<Long, FlowMode> wanted) throws BpfException {
        wantedFlowModes = Map.copyOf(wanted);
        for (PodDevices pod : namespaces.values()) {
            FlowMode mode = wanted.getOrDefault(pod.inode(), FlowMode.NONE);
            if (flowModes.get(pod.inode()) != mode) {
                program.setFlowMode(pod.inode(), pod.slot(), mode);
                flowModes.put(pod.inode(), mode);
            }
        }
    }

    /** Lets go of the namespaces not in {@code live}: detaches, stops counting them, gives their slots back. */
    void retainOnly(List<Netns> live) {
        Set<Long> alive = new HashSet<>();
        for (Netns n : live) {
            alive.add(n.inode());
        }
        sockets.retainOnly(live);
        overCapacity.retainAll(alive);
        for (PodDevices pod : List.copyOf(namespaces.values())) {
            if (alive.contains(pod.inode())) {
                continue;
            }
            namespaces.remove(pod.inode());
            flowModes.remove(pod.inode());
            pod.attached().values().forEach(links -> detach(pod.netns(), links));
            try {
                program.unassign(pod.inode());
            } catch (BpfException e) {
                LOG.warning("traffic: releasing namespace " + pod.inode() + ": " + e.getMessage());
            }
            slots.release(pod.inode());
        }
        slots.recycle();
    }

    List<PodDevices> namespaces() {
        return List.copyOf(namespaces.values());
    }

    int overCapacity() {
        return overCapacity.size();
    }

    long attachErrors() {
        return attachErrors.get();
    }

    String lastError() {
        return lastError;
    }

    /** Detaches everywhere; clsact filters from inside their namespaces, so none is left behind. */
    @Override
    public void close() {
        for (PodDevices pod : namespaces.values()) {
            for (List<BpfAttachment> links : pod.attached().values()) {
                detach(pod.netns(), links);
            }
            pod.attached().clear();
        }
        namespaces.clear();
        sockets.close();
    }
}
