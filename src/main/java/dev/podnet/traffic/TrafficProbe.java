package dev.podnet.traffic;

import dev.podnet.bpf.BpfException;
import dev.podnet.config.Cidr;
import dev.podnet.netns.Netns;
import dev.podnet.netns.NetnsReader;
import dev.podnet.probe.MetricSink;
import dev.podnet.probe.NodeView;
import dev.podnet.probe.Overhead;
import dev.podnet.probe.Probe;
import dev.podnet.probe.ProbeContext;
import dev.podnet.probe.ProbeInfo;
import dev.podnet.probe.ProbeSource;
import dev.podnet.probe.ProbeUnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Per-pod traffic counted in the kernel on the pod's own devices (traffic.bpf.c): bytes and packets by
 * direction, IP family and protocol, internet-bound traffic, TCP RST / zero-window / window-scale / DF
 * counts, packet and payload size and TCP RTT histograms.
 *
 * <p>Per namespace, each collection brings the programs in step with the namespace's devices (so a
 * namespace or device that appears is covered from the next collection on); node-wide, it reads the
 * counters of every namespace at once, lets go of namespaces that are gone, and reports itself. The
 * host's own namespace is left alone: its devices carry every pod's traffic a second time (the host
 * ends of the veth pairs) and the node's own.
 */
public final class TrafficProbe implements Probe {
    private static final ProbeInfo INFO = new ProbeInfo("traffic", ProbeSource.BPF, Overhead.LOW, true, true, true,
            "Pod traffic by direction, IP family and protocol, internet-bound traffic, TCP RST / zero window / window "
                    + "scale / DF counts, packet sizes and TCP RTT, and the flows monitoring tasks ask for (tc programs on "
                    + "every pod device, tcx or clsact)");
    private static final Path VMLINUX_BTF = Path.of("/sys/kernel/btf/vmlinux");

    private volatile Running running;

    /** What {@link #start} acquired. */
    private record Running(TrafficObject program, NamespaceAttacher attacher, FlowDrain flows) {
    }

    @Override
    public ProbeInfo info() {
        return INFO;
    }

    @Override
    public void checkSettings(Map<String, Object> settings) {
        TrafficSettings.of(INFO.name(), settings);
    }

    @Override
    public void start(ProbeContext context) throws ProbeUnavailableException {
        TrafficSettings settings = TrafficSettings.of(INFO.name(), context.settings());
        if (!Files.exists(VMLINUX_BTF)) {
            throw new ProbeUnavailableException("kernel BTF missing (" + VMLINUX_BTF
                    + "): the kernel needs CONFIG_DEBUG_INFO_BTF for CO-RE programs");
        }
        try {
            TrafficObject program = TrafficObject.load(settings);
            // Until the first collection hands over the configured networks: never an empty trie, which
            // would count every packet of the namespaces attached meanwhile as internet-bound.
            try {
                program.internalNetworks().sync(Cidr.DEFAULT_INTERNAL);
            } catch (BpfException e) {
                program.close();
                throw e;
            }
            running = new Running(program, new NamespaceAttacher(program, context.enterer(), settings.maxNamespaces()),
                    new FlowDrain(program, settings));
        } catch (BpfException e) {
            throw new ProbeUnavailableException(e.getMessage()
                    + (e.errno() == 1 ? " (needs root, or CAP_BPF with CAP_PERFMON and CAP_NET_ADMIN)" : ""), e);
        } catch (LinkageError e) {
            throw new ProbeUnavailableException("libbpf unusable: " + e.getMessage(), e);
        }
    }

    @Override
    public void collectNamespace(Netns netns, NetnsReader reader, MetricSink out) throws Exception {
        Running r = running;
        if (r != null && !netns.host()) {
            r.attacher().sync(netns);
        }
    }

    @Override
    public void collectNode(NodeView node, MetricSink out) throws BpfException {
        Running r = running;
        if (r == null) {
            return;
        }
        TrafficObject program = r.program();
        program.internalNetworks().sync(node.internalNetworks());
        r.attacher().retainOnly(node.namespaces());
        r.attacher().applyFlowModes(FlowMode.of(node.flowWatches()));
        r.flows().watch(node.flowWatches());
        r.flows().write(out);
        int devices = 0;
        for (PodDevices pod : r.attacher().namespaces()) {
            MetricSink sink = out.forNetns(pod.inode());
            TrafficMetrics.writeCounters(program.read(pod.slot()), sink);
            if (program.perPodHistograms()) {
                TrafficMetrics.writeHistograms(program.readHistograms(pod.slot()), sink);
            }
            devices += pod.deviceCount();
        }
        if (!program.perPodHistograms()) {
            TrafficMetrics.writeHistograms(program.readHistograms(null), out);
        }
        writeSelf(r, devices, out);
    }

    private static void writeSelf(Running r, int devices, MetricSink out) throws BpfException {
        out.gauge("podnet_traffic_namespaces", "Network namespaces whose devices carry the traffic programs.",
                r.attacher().namespaces().size());
        out.gauge("podnet_traffic_devices", "Devices that carry the traffic programs (ingress and egress).", devices,
                "attach", r.program().attachMode());
        out.gauge("podnet_traffic_namespaces_over_capacity",
                "Network namespaces not counted because every slot is taken (probeSettings.traffic.maxNamespaces).",
                r.attacher().overCapacity());
        out.gauge("podnet_traffic_max_namespaces", "Namespace slots of the traffic probe's kernel maps.",
                r.program().capacity());
        out.counter("podnet_traffic_attach_errors_total", "Devices the traffic programs could not be attached to.",
                r.attacher().attachErrors());
    }

    @Override
    public void close() {
        Running r = running;
        running = null;
        if (r != null) {
            r.flows().close();
            r.attacher().close();
            r.program().close();
        }
    }

    /** Drains the kernel's flow map now rather than at the next tick. */
    void drainFlows() throws BpfException {
        Running r = running;
        if (r != null) {
            r.flows().drain();
        }
    }

    List<PodDevices> attachedNamespaces() {
        Running r = running;
        return r == null ? List.of() : r.attacher().namespaces();
    }
}
