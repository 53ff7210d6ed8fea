package dev.podnet.policy;

import dev.podnet.probe.MetricSink;
import dev.podnet.probe.Sample;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The series of the tasks in force, per selected pod ({@code aggregateType: pod}), made from the
 * collection's own per-pod series (the traffic probe's counters, tcpretrans, tcpconn, packetloss): each
 * carries {@code task}, {@code namespace}, {@code pod} and the task's {@code podLabel} labels, so two
 * tasks selecting one pod give two copies told apart by {@code task}.
 */
public final class TaskMetrics {
    private static final String[] DIRECTIONS = {"receive", "transmit"};

    private TaskMetrics() {
    }

    /** A pod of this node, the inode of its network namespace and its IPs. */
    public record NodePod(String namespace, String name, Map<String, String> labels, long netns, List<InetAddress> ips) {
        public NodePod {
            ips = List.copyOf(ips);
        }
    }

    public static void write(List<Task> tasks, List<NodePod> pods, String agentNamespace, List<Sample> collected,
                             MetricSink out) {
        if (tasks.isEmpty()) {
            return;
        }
        Map<Task, List<NodePod>> selected = select(tasks, pods, agentNamespace);
        Map<String, PodCounters> counters = new HashMap<>();
        selected.values().forEach(mine -> mine.forEach(pod -> counters.putIfAbsent(Long.toString(pod.netns()), new PodCounters())));
        for (Sample sample : collected) {
            if (sample.baseValues().length > 0 && PodCounters.SOURCES.contains(sample.name())) {
                PodCounters c = counters.get(sample.baseValues()[0]);
                if (c != null) {
                    c.add(sample);
                }
            }
        }
        for (Task task : tasks) {
            for (NodePod pod : selected.get(task)) {
                write(task, pod, counters.get(Long.toString(pod.netns())), out);
            }
        }
    }

    /**
     * The pods each task watches, with a namespace of their own: a MonitorPolicy's, in its scope and
     * matching its selector; a config task's, the named namespaces its pattern matches.
     */
    static Map<Task, List<NodePod>> select(List<Task> tasks, List<NodePod> pods, String agentNamespace) {
        Map<Task, List<NodePod>> selected = new LinkedHashMap<>();
        for (Task task : tasks) {
            List<NodePod> mine = new ArrayList<>();
            for (NodePod pod : pods) {
                if (pod.netns() > 0 && (task.netnsNames() != null ? task.netnsNames().matcher(pod.name()).matches()
                        : TaskSet.inScope(task, pod.namespace(), agentNamespace) && PodSelector.matches(task.selector(), pod.labels()))) {
                    mine.add(pod);
                }
            }
            selected.put(task, mine);
        }
        return selected;
    }

    private static void write(Task task, NodePod pod, PodCounters c, MetricSink out) {
        String[] base = baseLabels(task, pod);
        for (int d = 0; d < 2; d++) {
            String dir = DIRECTIONS[d];
            for (String protocol : new String[] {"ip", "tcp", "udp"}) {
                Measure measure = measureFor(protocol, d);
                if (task.measures().get(measure) != Measure.Aggregation.POD) {
                    continue;
                }
                for (String family : c.families()) {
                    String[] labels = with(base, "ipfamily", family);
                    String prefix = "podnet_task_" + protocol + "_" + dir;
                    out.counter(prefix + "_bytes_total", "Bytes of the task's pod, by IP family (" + protocol + ").",
                            c.traffic("bytes", dir, family, protocol), labels);
                    out.counter(prefix + "_packets_total", "Packets of the task's pod, by IP family (" + protocol + ").",
                            c.traffic("packets", dir, family, protocol), labels);
                }
            }
        }
        if (task.ip4Rx()) {
            ip4(out, base, "receive", c.traffic("bytes", "receive", "ipv4", "ip"), c.traffic("packets", "receive", "ipv4", "ip"));
        }
        if (task.ip4Tx()) {
            ip4(out, base, "transmit", c.traffic("bytes", "transmit", "ipv4", "ip"), c.traffic("packets", "transmit", "ipv4", "ip"));
        }
        if (task.ip4TxInternet()) {
            out.counter("podnet_task_ip4_internet_transmit_bytes_total",
                    "IPv4 bytes the task's pod sent to addresses outside internalNetworks.",
                    c.internet("bytes", "transmit", "ipv4"), base);
            out.counter("podnet_task_ip4_internet_transmit_packets_total",
                    "IPv4 packets the task's pod sent to addresses outside internalNetworks.",
                    c.internet("packets", "transmit", "ipv4"), base);
        }
        podCounter(task, Measure.TCP_RETRANS, out, "podnet_task_tcp_retransmits_total",
                "TCP segments the task's pod retransmitted.", c.counter("podnet_tcp_retransmits_total"), base);
        podCounter(task, Measure.TCP_NEW_CONNECTION, out, "podnet_task_tcp_connections_total",
                "TCP connections the task's pod opened, actively or passively.",
                c.counter("podnet_tcp_connections_opened_total"), base);
        podCounter(task, Measure.TCP_CONNECTION_FAILURE, out, "podnet_task_tcp_connect_failures_total",
                "TCP connects of the task's pod that failed.", c.counter("podnet_tcp_connect_failures_total"), base);
        podCounter(task, Measure.TCP_DROP, out, "podnet_task_tcp_drops_total",
                "TCP packets the kernel dropped in the task's pod (drop reasons TCP_*).",
                c.counter("podnet_packet_drops_total"), base);
    }

    private static Measure measureFor(String protocol, int direction) {
        return switch (protocol) {
            case "ip" -> direction == 0 ? Measure.IP_RECEIVE : Measure.IP_SEND;
            case "tcp" -> direction == 0 ? Measure.TCP_RECEIVE : Measure.TCP_SEND;
            default -> direction == 0 ? Measure.UDP_RECEIVE : Measure.UDP_SEND;
        };
    }

    private static void ip4(MetricSink out, String[] base, String dir, double bytes, double packets) {
        out.counter("podnet_task_ip4_" + dir + "_bytes_total", "IPv4 bytes of the task's pod.", bytes, base);
        out.counter("podnet_task_ip4_" + dir + "_packets_total", "IPv4 packets of the task's pod.", packets, base);
    }

    private static void podCounter(Task task, Measure measure, MetricSink out, String name, String help, double value,
                                   String[] labels) {
        if (task.measures().get(measure) == Measure.Aggregation.POD) {
            out.counter(name, help, value, labels);
        }
    }

    /** {@code task}, {@code namespace}, {@code pod}, then the task's pod labels: what every series of a task starts with. */
    static String[] baseLabels(Task task, NodePod pod) {
        List<String> labels = new ArrayList<>(List.of("task", task.name(), "namespace", pod.namespace(), "pod", pod.name()));
        task.podLabels().forEach(l -> {
            labels.add(l.labelName());
            labels.add(pod.labels().getOrDefault(l.key(), ""));
        });
        return labels.toArray(String[]::new);
    }

    private static String[] with(String[] base, String name, String value) {
        String[] all = new String[base.length + 2];
        System.arraycopy(base, 0, all, 0, base.length);
        all[base.length] = name;
        all[base.length + 1] = value;
        return all;
    }
}
