package dev.podnet.k8s;

import dev.podnet.config.PodnetConfig.PodLabel;
import dev.podnet.probe.NetnsLabeler;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The attribution of one collection, frozen: label names, each attributed namespace's values, and every
 * pod of the node with the namespace it was matched to. Frozen so that a reload of {@code podLabels} or a
 * watch event during a collection cannot give one collection two label sets.
 */
public final class AttributionSnapshot implements NetnsLabeler {
    /** A pod of this node and the inode of its namespace, or 0 when it has none of its own (yet). */
    public record PodRow(PodRecord pod, long inode) {
    }

    private final List<String> names;
    private final List<PodLabel> podLabels;
    private final Map<Long, String[]> byInode;
    private final String[] unattributed;
    private final List<PodRow> pods;

    private AttributionSnapshot(List<String> names, List<PodLabel> podLabels, Map<Long, String[]> byInode,
                                List<PodRow> pods) {
        this.names = names;
        this.podLabels = podLabels;
        this.byInode = byInode;
        this.unattributed = new String[names.size()];
        Arrays.fill(unattributed, "");
        this.pods = pods;
    }

    public static AttributionSnapshot of(List<PodLabel> podLabels, List<PodRecord> pods, Map<String, Long> matches) {
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
        return new AttributionSnapshot(List.copyOf(names), List.copyOf(podLabels), byInode, List.copyOf(rows));
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

    public List<PodLabel> podLabels() {
        return podLabels;
    }

    public List<PodRow> pods() {
        return pods;
    }

    public int attributedCount() {
        return byInode.size();
    }
}
