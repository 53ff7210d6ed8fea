package dev.podnet.probe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.prometheus.metrics.model.snapshots.CounterSnapshot;
import io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot;
import io.prometheus.metrics.model.snapshots.GaugeSnapshot;
import io.prometheus.metrics.model.snapshots.Labels;
import io.prometheus.metrics.model.snapshots.MetricSnapshot;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SnapshotAssemblerTest {
    /** Like the engine's attribution: one values array per namespace, reused for all its samples. */
    private final Map<Long, String[]> attribution = new HashMap<>();
    private final SampleBuffer node = new SampleBuffer(new String[] {"netns", "namespace", "pod"},
            inode -> attribution.computeIfAbsent(inode, k -> new String[] {Long.toString(k), "ns-" + k, "pod-" + k}));

    @Test
    void everyDataPointCarriesTheNamespaceLabelsAndItsOwn() {
        MetricSink a = node.forNetns(4026532001L);
        a.counter("podnet_netdev_receive_bytes_total", "rx", 100, "device", "eth0");
        a.counter("podnet_netdev_receive_bytes_total", "rx", 5, "device", "lo");
        node.forNetns(4026532002L).counter("podnet_netdev_receive_bytes_total", "rx", 7, "device", "eth0");

        CounterSnapshot rx = counter(SnapshotAssembler.assemble(node.samples()), "podnet_netdev_receive_bytes");
        assertEquals(3, rx.getDataPoints().size());
        assertEquals(100, value(rx, Labels.of("netns", "4026532001", "namespace", "ns-4026532001",
                "pod", "pod-4026532001", "device", "eth0")));
        assertEquals(5, value(rx, Labels.of("netns", "4026532001", "namespace", "ns-4026532001",
                "pod", "pod-4026532001", "device", "lo")));
        assertEquals(7, value(rx, Labels.of("netns", "4026532002", "namespace", "ns-4026532002",
                "pod", "pod-4026532002", "device", "eth0")));
    }

    @Test
    void familiesOfOneNamespaceAndDeviceShareOneLabelSet() {
        MetricSink a = node.forNetns(4026532001L);
        a.counter("podnet_netdev_receive_bytes_total", "rx", 1, "device", "eth0");
        a.counter("podnet_netdev_transmit_bytes_total", "tx", 2, "device", "eth0");
        a.counter("podnet_netdev_transmit_bytes_total", "tx", 3, "device", "lo");

        MetricSnapshots snapshots = SnapshotAssembler.assemble(node.samples());
        Labels rxEth0 = counter(snapshots, "podnet_netdev_receive_bytes").getDataPoints().getFirst().getLabels();
        List<CounterDataPointSnapshot> tx = counter(snapshots, "podnet_netdev_transmit_bytes").getDataPoints();
        Labels txEth0 = tx.stream().map(CounterDataPointSnapshot::getLabels)
                .filter(l -> l.get("device").equals("eth0")).findFirst().orElseThrow();
        Labels txLo = tx.stream().map(CounterDataPointSnapshot::getLabels)
                .filter(l -> l.get("device").equals("lo")).findFirst().orElseThrow();
        assertSame(rxEth0, txEth0);
        assertNotEquals(txEth0, txLo);
    }

    @Test
    void equalLabelSetsFromDifferentArraysAreStillOneSeries() {
        // A node-wide probe attributing to a namespace discovery did not list gets a fresh array each time.
        SampleBuffer fresh = new SampleBuffer(new String[] {"netns"}, inode -> new String[] {Long.toString(inode)});
        fresh.forNetns(7).gauge("podnet_flows", "flows", 1);
        fresh.forNetns(7).gauge("podnet_flows", "flows", 2);

        GaugeSnapshot flows = (GaugeSnapshot) family(SnapshotAssembler.assemble(fresh.samples()), "podnet_flows");
        assertEquals(1, flows.getDataPoints().size());
        assertEquals(1, flows.getDataPoints().getFirst().getValue(), "the first value is kept");
    }

    @Test
    void aFamilyRepeatingANamespaceLabelIsDroppedAndTheOthersStay() {
        MetricSink a = node.forNetns(4026532001L);
        a.gauge("podnet_bad", "bad", 1, "pod", "x"); // pod is the engine's label: a duplicate name
        a.gauge("podnet_good", "good", 2, "device", "eth0");
        a.gauge("podnet_bad_too", "also bad", 3, "pod", "x"); // the failed set must not be cached

        MetricSnapshots snapshots = SnapshotAssembler.assemble(node.samples());
        assertEquals(List.of("podnet_good"), snapshots.stream().map(s -> s.getMetadata().getName()).toList());
    }

    private static CounterSnapshot counter(MetricSnapshots snapshots, String name) {
        return (CounterSnapshot) family(snapshots, name);
    }

    private static MetricSnapshot family(MetricSnapshots snapshots, String name) {
        return snapshots.stream().filter(s -> s.getMetadata().getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("no family " + name));
    }

    private static double value(CounterSnapshot snapshot, Labels labels) {
        return snapshot.getDataPoints().stream().filter(p -> p.getLabels().equals(labels)).findFirst()
                .orElseThrow(() -> new AssertionError("no data point " + labels)).getValue();
    }
}
