package dev.podnet.probe.bpf;

import dev.podnet.bpf.BpfException;
import dev.podnet.bpf.BpfMap;
import dev.podnet.probe.HistogramData;
import java.util.List;
import java.util.Map;

/** The aggregate maps of one BPF probe as read by one collection. */
public final class AggregateSnapshot {
    private final Map<String, BpfMap> maps;
    private final Map<String, List<BpfMap.Entry>> entries;

    AggregateSnapshot(Map<String, BpfMap> maps, Map<String, List<BpfMap.Entry>> entries) {
        this.maps = maps;
        this.entries = entries;
    }

    /** A counter map's values by (netns, label), summed over CPUs. */
    public Map<NetnsAggregates.Key, Long> counters(String map) throws BpfException {
        return NetnsAggregates.counters(map(map), entries.get(map));
    }

    /** A log2 histogram map's histograms by (netns, label); {@code unit} as in {@link Log2Histogram#toHistogram}. */
    public Map<NetnsAggregates.Key, HistogramData> histograms(String map, double unit) throws BpfException {
        return NetnsAggregates.log2Histograms(map(map), entries.get(map), unit);
    }

    private BpfMap map(String name) {
        BpfMap map = maps.get(name);
        if (map == null) {
            throw new IllegalArgumentException("map " + name + " is not among the probe's aggregate maps " + maps.keySet());
        }
        return map;
    }
}
