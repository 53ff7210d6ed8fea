package dev.podnet.traffic;

import dev.podnet.bpf.BpfAttachment;
import dev.podnet.bpf.BpfException;
import dev.podnet.bpf.BpfMap;
import dev.podnet.bpf.BpfObject;
import dev.podnet.bpf.BpfProgram;
import dev.podnet.bpf.TcAttachment;
import java.nio.ByteBuffer;
import java.util.List;

/**
 * traffic.bpf.o loaded: its four programs (ingress and egress, for devices with and without an Ethernet
 * header) and its maps: the namespace slots user space assigns, the per-CPU counters it reads, and the
 * internal networks it keeps in step with the config.
 */
final class TrafficObject implements AutoCloseable {
    static final String FILE = "traffic.bpf.o";
    private static final int EINVAL = 22;

    private final BpfObject object;
    private final BpfProgram[] ethernet;
    private final BpfProgram[] layer3;
    private final BpfMap slots;
    private final BpfMap counters;
    private final BpfMap histograms;
    private final BpfMap flows;
    private final BpfMap flowInsertFailures;
    private final boolean perPodHistograms;
    private final InternalNetworksMap internal;
    private final CacheGenerations generations;
    private volatile TrafficSettings.AttachMode mode;

    private TrafficObject(BpfObject object, TrafficSettings settings) throws BpfException {
        this.object = object;
        this.ethernet = new BpfProgram[] {object.program("traffic_ingress"), object.program("traffic_egress")};
        this.layer3 = new BpfProgram[] {object.program("traffic_ingress_l3"), object.program("traffic_egress_l3")};
        this.slots = object.map("netns_slots");
        this.counters = object.map("traffic");
        this.histograms = object.map("histograms");
        this.flows = object.map("flows");
        this.flowInsertFailures = object.map("flow_insert_failures");
        this.perPodHistograms = settings.perPodHistograms();
        this.generations = new CacheGenerations(object.map("generations"));
        this.internal = new InternalNetworksMap(object.map("internal_networks"), generations);
        this.mode = settings.attach();
    }

    static TrafficObject load(TrafficSettings settings) throws BpfException {
        BpfObject object = BpfObject.openResource("bpf/" + FILE);
        try {
            object.map("netns_slots").setMaxEntries(settings.maxNamespaces());
            object.map("traffic").setMaxEntries(settings.maxNamespaces());
            object.map("histograms").setMaxEntries(settings.perPodHistograms() ? settings.maxNamespaces() : 1);
            object.map("flows").setMaxEntries(settings.maxFlows());
            object.map(".rodata").setInitialValue(ByteBuffer.allocate(4).order(BpfMap.order())
                    .putInt(settings.perPodHistograms() ? 1 : 0).array()); // const volatile per_pod_histograms
            object.load();
            TrafficObject loaded = new TrafficObject(object, settings);
            requireSize(loaded.counters, "struct pod_traffic", TrafficLayout.WORDS);
            requireSize(loaded.histograms, "struct traffic_histograms", TrafficLayout.HISTOGRAM_WORDS);
            requireSize(loaded.flows, "struct traffic_flow", FlowLayout.VALUE_SIZE / 8);
            if (loaded.flows.keySize() != FlowLayout.KEY_SIZE) {
                throw new BpfException(FILE + ": struct traffic_flow_key has " + loaded.flows.keySize()
                        + " bytes, this podnet reads " + FlowLayout.KEY_SIZE + " (program and reader out of step)");
            }
            return loaded;
        } catch (BpfException | RuntimeException e) {
            object.close();
            throw e;
        }
    }

    private static void requireSize(BpfMap map, String struct, int words) throws BpfException {
        if (map.valueSize() != words * 8) {
            throw new BpfException(FILE + ": " + struct + " has " + map.valueSize() + " bytes, this podnet reads "
                    + words * 8 + " (program and reader out of step)");
        }
    }

    /**
     * Attaches the ingress and egress programs to a device of the calling thread's namespace. In auto
     * mode a kernel without tcx (EINVAL) switches this object to clsact filters for good.
     */
    List<BpfAttachment> attach(int ifindex, boolean hasEthernetHeader) throws BpfException {
        BpfProgram[] programs = hasEthernetHeader ? ethernet : layer3;
        if (mode != TrafficSettings.AttachMode.TC) {
            try {
                return both(programs, ifindex, true);
            } catch (BpfException e) {
                if (mode == TrafficSettings.AttachMode.TCX || e.errno() != EINVAL) {
                    throw e;
                }
                mode = TrafficSettings.AttachMode.TC;
            }
        }
        return both(programs, ifindex, false);
    }

    private static List<BpfAttachment> both(BpfProgram[] programs, int ifindex, boolean tcx) throws BpfException {
        BpfAttachment ingress = tcx ? programs[0].attachTcx(ifindex, TcAttachment.Direction.INGRESS)
                : programs[0].attachTc(ifindex, TcAttachment.Direction.INGRESS);
        try {
            BpfAttachment egress = tcx ? programs[1].attachTcx(ifindex, TcAttachment.Direction.EGRESS)
                    : programs[1].attachTc(ifindex, TcAttachment.Direction.EGRESS);
            return List.of(ingress, egress);
        } catch (BpfException e) {
            ingress.close();
            throw e;
        }
    }

    /** Whether attachments are tcx links (closed from anywhere) or clsact filters (closed inside their namespace). */
    boolean usesTcx() {
        return mode != TrafficSettings.AttachMode.TC;
    }

    String attachMode() {
        return usesTcx() ? "tcx" : "tc";
    }

    /**
     * Zeroes the slot's counters and points the namespace at it: from now on its packets count there,
     * and its flows are kept as {@code flowMode} says.
     */
    void assign(long netns, int slot, FlowMode flowMode) throws BpfException {
        counters.update(slotKey(slot), new byte[counters.valueBufferSize()]);
        if (perPodHistograms) {
            histograms.update(slotKey(slot), new byte[histograms.valueBufferSize()]);
        }
        slots.update(netnsKey(netns), slotValue(slot, flowMode));
    }

    /** Changes how an assigned namespace's flows are kept (CPUs that cached the old mode look it up again). */
    void setFlowMode(long netns, int slot, FlowMode flowMode) throws BpfException {
        slots.update(netnsKey(netns), slotValue(slot, flowMode));
        generations.slotsChanged();
    }

    BpfMap flows() {
        return flows;
    }

    /** Packets whose new flow the full flow map refused, summed over CPUs. */
    long flowInsertFailures() throws BpfException {
        byte[] value = flowInsertFailures.lookup(slotKey(0));
        return value == null ? 0 : flowInsertFailures.sumLong(value, 0);
    }

    BpfProgram program(String name) throws BpfException {
        return object.program(name);
    }

    /** Stops counting the namespace's packets (CPUs that cached its slot look it up again). */
    void unassign(long netns) throws BpfException {
        slots.delete(netnsKey(netns));
        generations.slotsChanged();
    }

    /** The slot's counters summed over CPUs, as {@link TrafficLayout} words. */
    long[] read(int slot) throws BpfException {
        return sumOverCpus(counters, slot, TrafficLayout.WORDS);
    }

    /** The node's histograms, or with per-pod histograms the slot's (then {@code slot} must not be null). */
    long[] readHistograms(Integer slot) throws BpfException {
        return sumOverCpus(histograms, perPodHistograms ? slot : 0, TrafficLayout.HISTOGRAM_WORDS);
    }

    boolean perPodHistograms() {
        return perPodHistograms;
    }

    private static long[] sumOverCpus(BpfMap map, int index, int wordCount) throws BpfException {
        byte[] value = map.lookup(slotKey(index));
        long[] words = new long[wordCount];
        if (value == null) {
            return words;
        }
        ByteBuffer buffer = ByteBuffer.wrap(value).order(BpfMap.order());
        int stride = map.valueStride();
        for (int cpu = 0; cpu + stride <= value.length; cpu += stride) {
            for (int i = 0; i < words.length; i++) {
                words[i] += buffer.getLong(cpu + i * 8);
            }
        }
        return words;
    }

    InternalNetworksMap internalNetworks() {
        return internal;
    }

    int capacity() throws BpfException {
        return slots.maxEntries();
    }

    private static byte[] slotKey(int slot) {
        return ByteBuffer.allocate(4).order(BpfMap.order()).putInt(slot).array();
    }

    private static byte[] slotValue(int slot, FlowMode mode) {
        return ByteBuffer.allocate(8).order(BpfMap.order()).putInt(slot).putInt(mode.kernelValue()).array();
    }

    private static byte[] netnsKey(long netns) {
        return ByteBuffer.allocate(4).order(BpfMap.order()).putInt((int) netns).array();
    }

    @Override
    public void close() {
        object.close();
    }
}
