package dev.podnet.probe;

import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.InfoSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * Turns a collection's samples into client_java snapshots, one family per metric name. A family whose
 * samples disagree on type is dropped (and logged) rather than failing the whole scrape; a repeated
 * label set keeps its first value.
 *
 * <p>{@link Labels#of} validates and sorts the names on every call, and with hundreds of namespaces it was
 * half the assembly time (profiled at 1000 namespaces). The same label set recurs in every family of a
 * namespace (each netdev counter of a device, each snmp field), so one {@link Labels} is built per
 * distinct set and shared.
 */
public final class SnapshotAssembler {
    private static final Logger LOG = Logger.getLogger(SnapshotAssembler.class.getName());

    private SnapshotAssembler() {
    }

    public static MetricSnapshots assemble(List<Sample> samples) {
        LabelCache cache = new LabelCache();
        Map<String, List<Sample>> families = new LinkedHashMap<>();
        for (Sample s : samples) {
            families.computeIfAbsent(s.name(), k -> new ArrayList<>()).add(s);
        }
        List<MetricSnapshot> snapshots = new ArrayList<>(families.size());
        for (Map.Entry<String, List<Sample>> family : families.entrySet()) {
            try {
                snapshots.add(family(family.getKey(), family.getValue(), cache));
            } catch (IllegalArgumentException e) {
                LOG.warning("dropping metric " + family.getKey() + ": " + e.getMessage());
            }
        }
        return new MetricSnapshots(snapshots);
    }

    private static MetricSnapshot family(String name, List<Sample> samples, LabelCache cache) {
        Sample first = samples.getFirst();
        Set<Labels> seen = new HashSet<>(samples.size() * 2);
        for (Sample s : samples) {
            if (s.type() != first.type()) {
                throw new IllegalArgumentException("mixes " + first.type() + " and " + s.type());
            }
        }
        return switch (first.type()) {
            case COUNTER -> {
                var builder = CounterSnapshot.builder().name(name.substring(0, name.length() - "_total".length()))
                        .help(first.help());
                for (Sample s : samples) {
                    Labels labels = cache.labels(s);
                    if (seen.add(labels)) {
                        builder.dataPoint(CounterSnapshot.CounterDataPointSnapshot.builder()
                                .value(s.value()).labels(labels).build());
                    }
                }
                yield builder.build();
            }
            case GAUGE -> {
                if (name.endsWith("_info")) {
                    yield info(name, first.help(), samples, seen, cache);
                }
                var builder = GaugeSnapshot.builder().name(name).help(first.help());
                for (Sample s : samples) {
                    Labels labels = cache.labels(s);
                    if (seen.add(labels)) {
                        builder.dataPoint(GaugeSnapshot.GaugeDataPointSnapshot.builder()
                                .value(s.value()).labels(labels).build());
                    }
                }
                yield builder.build();
            }
            case HISTOGRAM -> {
                var builder = HistogramSnapshot.builder().name(name).help(first.help());
                for (Sample s : samples) {
                    Labels labels = cache.labels(s);
                    if (seen.add(labels)) {
                        HistogramData h = s.histogram();
                        builder.dataPoint(HistogramSnapshot.HistogramDataPointSnapshot.builder()
                                .classicHistogramBuckets(buckets(h)).sum(h.sum()).labels(labels).build());
                    }
                }
                yield builder.build();
            }
        };
    }

    /** A gauge named {@code *_info} with value 1 is an info metric: the library wants it typed as one. */
    private static MetricSnapshot info(String name, String help, List<Sample> samples, Set<Labels> seen,
                                       LabelCache cache) {
        var builder = InfoSnapshot.builder().name(name.substring(0, name.length() - "_info".length())).help(help);
        for (Sample s : samples) {
            Labels labels = cache.labels(s);
            if (seen.add(labels)) {
                builder.dataPoint(InfoSnapshot.InfoDataPointSnapshot.builder().labels(labels).build());
            }
        }
        return builder.build();
    }

    private static ClassicHistogramBuckets buckets(HistogramData h) {
        double[] bounds = new double[h.upperBounds().length + 1];
        System.arraycopy(h.upperBounds(), 0, bounds, 0, h.upperBounds().length);
        bounds[bounds.length - 1] = Double.POSITIVE_INFINITY;
        return ClassicHistogramBuckets.of(bounds, h.counts());
    }

    /**
     * One {@link Labels} per distinct label set within one assembly. The key holds the sample's namespace
     * arrays by identity (the engine gives every sample of a namespace the same arrays) and its own labels
     * by content; equal sets under different arrays just get separate, equal entries.
     */
    static final class LabelCache {
        private final Map<Key, Labels> labels = new HashMap<>();

        Labels labels(Sample s) {
            Key key = new Key(s.baseNames(), s.baseValues(), Arrays.asList(s.labels()));
            Labels known = labels.get(key);
            if (known == null) {
                known = build(s); // may throw for a bad label name: nothing is cached then
                labels.put(key, known);
            }
            return known;
        }

        /** Record equality compares the arrays by identity, the list by content. */
        private record Key(String[] baseNames, String[] baseValues, List<String> own) {
        }
    }

    private static Labels build(Sample s) {
        int n = s.labelCount();
        String[] names = new String[n];
        String[] values = new String[n];
        System.arraycopy(s.baseNames(), 0, names, 0, s.baseNames().length);
        System.arraycopy(s.baseValues(), 0, values, 0, s.baseValues().length);
        String[] own = s.labels();
        for (int i = 0, j = s.baseNames().length; i < own.length; i += 2, j++) {
            names[j] = own[i];
            values[j] = own[i + 1];
        }
        return Labels.of(names, values);
    }
}
