package dev.podnet.k8s;

import dev.podnet.config.PodnetConfig.PodLabel;
import dev.podnet.health.HealthChecker;
import dev.podnet.policy.Task;
import dev.podnet.policy.TaskRun;
import dev.podnet.policy.TaskMetrics;
import dev.podnet.probe.FlowWatch;
import dev.podnet.probe.MetricSink;
import dev.podnet.probe.Sample;
import dev.podnet.probe.NetnsLabeler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The attribution of one collection, frozen: label names, each attributed namespace's values, and every
 * pod of the node with the namespace it was matched to. Frozen so that a reload of {@code podLabels} or a
 * watch event during a collection cannot give one collection two label sets. It also writes that
 * collection's {@code podnet_pod_info}, so the pods listed are the pods the series carry.
 */
public final class AttributionSnapshot implements NetnsLabeler {
    /** A pod of this node and the inode of its namespace, or 0 when it has none of its own (yet). */
    public record PodRow(PodRecord pod, long inode) {
    }

    private final String nodeName;
    private final List<String> names;
    private final List<PodLabel> podLabels;
    private final Map<Long, String[]> byInode;
    private final String[] unattributed;
    private final List<PodRow> pods;
    private final TaskRun tasks;

    private AttributionSnapshot(String nodeName, List<String> names, List<PodLabel> podLabels,
                                Map<Long, String[]> byInode, List<PodRow> pods, TaskRun tasks) {
        this.nodeName = nodeName;
        this.names = names;
        this.podLabels = podLabels;
        this.byInode = byInode;
        this.unattributed = new String[names.size()];
        Arrays.fill(unattributed, "");
        this.pods = pods;
        this.tasks = tasks;
    }

    /**
     * This attribution with the MonitorPolicy tasks in force for its collection, applied to its pods: their
     * flows ({@link #flowWatches}), health checks (started now) and series ({@link #derive}).
     */
    public AttributionSnapshot withTasks(List<Task> inForce, String agentNamespace, HealthChecker checker) {
        return new AttributionSnapshot(nodeName, names, podLabels, byInode, pods,
                TaskRun.start(inForce, nodePods(), agentNamespace, checker));
    }

    /**
     * @param nodeName the node whose pods these are
     * @param matches  pod uid to the inode of its namespace, for the pods matched
     */
    public static AttributionSnapshot of(String nodeName, List<PodLabel> podLabels, List<PodRecord> pods,
                                         Map<String, Long> matches) {
        List<String> names = new ArrayList<>(List.of("namespace", "pod"));
        podLabels.forEach(l -> names.add(l.labelName()));
        Map<Long, String[]> byInode = new HashMap<>();
        List<PodRow> rows = new ArrayList<>(pods.size());
        for (PodRecord pod : pods) {
            long inode = matches.getOrDefault(pod.uid(), 0L);
            rows.add(new PodRow(pod, inode));
            if (inode > 0) {
                String[] values = new String[names.size()];
                values[0] = pod.namespace();
                values[1] = pod.name();
                List<String> labelValues = podLabelValues(pod, podLabels);
                for (int i = 0; i < labelValues.size(); i++) {
                    values[2 + i] = labelValues.get(i);
                }
                byInode.put(inode, values);
            }
        }
        return new AttributionSnapshot(nodeName, List.copyOf(names), List.copyOf(podLabels), byInode, List.copyOf(rows),
                TaskRun.NONE);
    }

    /** The configured pod labels' values for this pod, empty where the pod lacks the label. */
    public static List<String> podLabelValues(PodRecord pod, List<PodLabel> podLabels) {
        return podLabels.stream().map(l -> pod.labels().getOrDefault(l.key(), "")).toList();
    }

    @Override
    public List<String> labelNames() {
        return names;
    }

    @Override
    public String[] labelValues(long inode) {
        return byInode.getOrDefault(inode, unattributed).clone();
    }

    /** {@code podnet_pod_info} for every pod of the node, attributed or not. */
    @Override
    public void describe(MetricSink out) {
        for (PodRow row : pods) {
            PodRecord pod = row.pod();
            List<String> labels = new ArrayList<>(List.of("namespace", pod.namespace(), "pod", pod.name(),
                    "uid", pod.uid(), "netns", row.inode() > 0 ? Long.toString(row.inode()) : "",
                    "host_network", Boolean.toString(pod.hostNetwork()), "node", nodeName));
            List<String> values = podLabelValues(pod, podLabels);
            for (int i = 0; i < podLabels.size(); i++) {
                labels.add(podLabels.get(i).labelName());
                labels.add(values.get(i));
            }
            out.gauge("podnet_pod_info",
                    "Every pod on this node; netns is the inode of its own network namespace, empty for hostNetwork pods and pods not matched (yet).",
                    1, labels.toArray(String[]::new));
        }
    }

    /** The task series of the pods each task selects, from this collection's samples. */
    @Override
    public void derive(List<Sample> collected, MetricSink out) {
        tasks.derive(collected, out);
    }

    /** The flows the tasks' per-flow items ask for, of the pods they select. */
    @Override
    public List<FlowWatch> flowWatches() {
        return tasks.flowWatches();
    }

    private List<TaskMetrics.NodePod> nodePods() {
        List<TaskMetrics.NodePod> nodePods = new ArrayList<>(pods.size());
        for (PodRow row : pods) {
            nodePods.add(new TaskMetrics.NodePod(row.pod().namespace(), row.pod().name(), row.pod().labels(), row.inode(),
                    row.pod().ips()));
        }
        return nodePods;
    }

    public List<PodRow> pods() {
        return pods;
    }

    public int attributedCount() {
        return byInode.size();
    }
}
