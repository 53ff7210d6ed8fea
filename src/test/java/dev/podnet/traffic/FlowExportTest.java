package dev.podnet.traffic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.podnet.probe.FlowWatch;
import dev.podnet.probe.Sample;
import dev.podnet.probe.SampleBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The flow table and its exposition without a kernel: folding, the series budget, idle eviction. */
class FlowExportTest {
    private static final long NETNS = 4026532000L;
    private static final long CLIENT_LOW = 0x0000_ffff_0ae9_0801L; // 10.233.8.1, IPv4-mapped
    private static final long SERVER_LOW = 0x0000_ffff_0ae9_0802L;

    @Test
    void serviceFoldsClientPortsIntoOneSeriesAndFiveTupleKeepsThem() {
        FlowTable table = new FlowTable();
        table.refresh(connections(10), Set.of(NETNS), 0, Duration.ofMinutes(5));
        List<Sample> service = write(new FlowExport(1000), table, watch("shop/service", false));
        List<Sample> fiveTuple = write(new FlowExport(1000), table, watch("shop/5tuple", true));
        List<Sample> serviceBytes = named(service, "podnet_flow_tcp_transmit_bytes_total");
        assertEquals(1, serviceBytes.size());
        assertEquals(10 * 1000.0, serviceBytes.getFirst().value(), "the ten connections summed");
        assertEquals(List.of("task", "shop/service", "ipfamily", "ipv4", "srcip", "10.233.8.1", "srcport", "", "dstip",
                "10.233.8.2", "dstport", "5601"), Arrays.asList(serviceBytes.getFirst().labels()));
        assertEquals(10, named(fiveTuple, "podnet_flow_tcp_transmit_bytes_total").size());
        FlowTuple kernelFolded = connections(1).getFirst().tuple().folded();
        assertEquals(kernelFolded, kernelFolded.folded(), "folding a folded tuple keeps the server's port");
        assertEquals("10.233.8.2", label(named(fiveTuple, "podnet_flow_tcp_receive_bytes_total").getFirst(), "srcip"),
                "received packets come from the peer");
    }

    @Test
    void flowsOverTheSeriesBudgetAreLeftOutAndCountedOnce() {
        FlowTable table = new FlowTable();
        table.refresh(connections(10), Set.of(NETNS), 0, Duration.ofMinutes(5));
        FlowExport export = new FlowExport(9); // 2 directions x bytes and packets + retransmits + drops = 6 per flow
        List<Sample> samples = write(export, table, watch("shop/5tuple", true));
        assertEquals(1, named(samples, "podnet_flow_tcp_transmit_bytes_total").size());
        assertEquals(9, export.dropped());
        write(export, table, watch("shop/5tuple", true));
        assertEquals(9, export.dropped(), "a flow still left out is not counted again");
    }

    @Test
    void idleFlowsAndUnwatchedNamespacesAreEvicted() {
        FlowTable table = new FlowTable();
        Duration idle = Duration.ofSeconds(10);
        table.refresh(connections(3), Set.of(NETNS), 0, idle);
        assertEquals(0, table.refresh(connections(3), Set.of(NETNS), Duration.ofSeconds(9).toNanos(), idle).length);
        byte[] evicted = table.refresh(connections(3), Set.of(NETNS), Duration.ofSeconds(10).toNanos(), idle);
        assertEquals(3 * FlowLayout.KEY_SIZE, evicted.length, "no packet for the idle timeout: evicted here and in the kernel");
        assertEquals(0, table.size());
        assertEquals(3 * FlowLayout.KEY_SIZE, table.refresh(connections(3), Set.of(), 0, idle).length);
    }

    @Test
    void theHeapBoundsFlowsAndSeriesAndNewFlowsOverItAreEvictedAndCounted() {
        TrafficSettings defaults = TrafficSettings.of("traffic", java.util.Map.of());
        FlowMemory small = FlowMemory.of(defaults, 48L << 20);
        assertEquals(List.of(16384, 5121), List.of(small.maxFlows(), small.maxSeries()), "the image's 48 MiB heap");
        FlowMemory large = FlowMemory.of(defaults, 2L << 30);
        assertEquals(List.of(65536, 50000), List.of(large.maxFlows(), large.maxSeries()), "the configured bounds");

        FlowTable table = new FlowTable(4);
        byte[] evicted = table.refresh(connections(10), Set.of(NETNS), 0, Duration.ofMinutes(5));
        assertEquals(4, table.size());
        assertEquals(6, table.droppedForMemory());
        assertEquals(6 * FlowLayout.KEY_SIZE, evicted.length, "let go in the kernel too");
    }

    private static List<FlowTable.Entry> connections(int n) {
        List<FlowTable.Entry> entries = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            FlowTuple t = new FlowTuple(NETNS, FlowLayout.PROTOCOL_TCP, FlowLayout.FAMILY_IPV4, 0, CLIENT_LOW, 40000 + i, 0,
                    SERVER_LOW, 5601);
            byte[] key = new byte[FlowLayout.KEY_SIZE];
            key[0] = (byte) i;
            entries.add(new FlowTable.Entry(t, key, new FlowLayout.Counters(500, 1000, 5, 10, 1, 0, 0)));
        }
        return entries;
    }

    private static FlowWatch watch(String task, boolean fiveTuple) {
        return new FlowWatch(NETNS, List.of("task", task), fiveTuple, Set.of(FlowWatch.Item.TCP_TRANSMIT,
                FlowWatch.Item.TCP_RECEIVE, FlowWatch.Item.TCP_RETRANSMITS, FlowWatch.Item.TCP_DROPS));
    }

    private static List<Sample> write(FlowExport export, FlowTable table, FlowWatch watch) {
        SampleBuffer out = new SampleBuffer(new String[0], inode -> new String[0]);
        export.write(List.of(watch), table.byNamespace(), out);
        return out.samples();
    }

    private static List<Sample> named(List<Sample> samples, String name) {
        return samples.stream().filter(s -> s.name().equals(name)).toList();
    }

    private static String label(Sample sample, String name) {
        String[] labels = sample.labels();
        for (int i = 0; i + 1 < labels.length; i += 2) {
            if (labels[i].equals(name)) {
                return labels[i + 1];
            }
        }
        return null;
    }
}
