package dev.podnet.probe;

import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Whether a probe's histograms are exported once per node or once per network namespace (each pod's,
 * the host's): {@code probeSettings.<probe>.perPodHistograms}. A histogram is one series per bucket, 20
 * to 35 of them for each label set, so one per pod would be most of a pod's series; the node-wide one
 * answers "how is the node doing" and the per-pod one is there for the pods someone is chasing.
 * Node-wide is the default; {@code perPodHistograms: true} gives every namespace its own. Only
 * histograms are concerned: a probe's counters stay per namespace.
 *
 * <p>Node-wide, the histograms of all namespaces with the same labels are summed bucket by bucket: the
 * node's distribution, whose {@code _count} and {@code _sum} are the namespaces' totals.
 */
public final class HistogramScope {
    public static final String SETTING = "perPodHistograms";

    private static final HistogramScope NODE = new HistogramScope(false);
    private static final HistogramScope PER_POD = new HistogramScope(true);

    private final boolean perPod;

    private HistogramScope(boolean perPod) {
        this.perPod = perPod;
    }

    /**
     * The probe's setting; node-wide without one.
     *
     * @throws IllegalArgumentException naming the setting when it is not true or false
     */
    public static HistogramScope of(String probe, Map<String, Object> settings) {
        Object value = settings.get(SETTING);
        if (value == null) {
            return NODE;
        }
        if (!(value instanceof Boolean b)) {
            throw new IllegalArgumentException("probeSettings." + probe + "." + SETTING
                    + ": expected true (a histogram per pod) or false (one for the node), got "
                    + (value instanceof String ? "\"" + value + "\"" : value));
        }
        return b ? PER_POD : NODE;
    }

    public boolean perPod() {
        return perPod;
    }

    /** Collects one collection's histograms of the metric {@code name} for {@link Histograms#writeTo}. */
    public Histograms histograms(String name, String help) {
        return new Histograms(name, help);
    }

    @Override
    public String toString() {
        return perPod ? "per pod" : "node-wide";
    }

    /** The histograms of one metric in one collection, by namespace (per pod) or summed (node-wide). */
    public final class Histograms {
        private final String name;
        private final String help;
        private final Map<Key, HistogramData> byKey = new LinkedHashMap<>();

        private record Key(long netns, List<String> labels) {
        }

        private Histograms(String name, String help) {
            this.name = name;
            this.help = help;
        }

        /**
         * Adds the histogram of the namespace with inode {@code netns} (0: not known, always node-wide);
         * labels as in {@link MetricSink}.
         */
        public void add(long netns, HistogramData data, String... labels) {
            byKey.merge(new Key(perPod ? netns : 0, Arrays.asList(labels.clone())), data, HistogramData::plus);
        }

        /** Writes what was added: per namespace through {@link MetricSink#forNetns}, or node-wide. */
        public void writeTo(MetricSink out) {
            for (Map.Entry<Key, HistogramData> e : byKey.entrySet()) {
                long netns = e.getKey().netns();
                MetricSink sink = netns == 0 ? out : out.forNetns(netns);
                sink.histogram(name, help, e.getValue(), e.getKey().labels().toArray(String[]::new));
            }
        }
    }
}
