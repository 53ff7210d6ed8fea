package dev.podnet.probe.procfs;

import dev.podnet.netns.Netns;
import dev.podnet.netns.NetnsReader;
import dev.podnet.probe.MetricSink;
import dev.podnet.probe.Overhead;
import dev.podnet.probe.Probe;
import dev.podnet.probe.ProbeInfo;
import dev.podnet.probe.ProbeSource;
import dev.podnet.procfs.NetDevParser;
import dev.podnet.procfs.ProcText;
import java.util.List;

/** Interface counters of each namespace, from its {@code net/dev}. */
public final class NetdevProbe implements Probe {
    private static final ProbeInfo INFO = new ProbeInfo("netdev", ProbeSource.PROCFS, Overhead.LOW, true, true, false,
            "Interface bytes, packets, errors, drops per device (net/dev)");
    private static final List<String> NAMES = NetDevParser.COLUMNS.stream().map(c -> "podnet_netdev_" + c + "_total").toList();
    private static final List<String> HELP = NetDevParser.COLUMNS.stream()
            .map(c -> "net/dev " + c.replace('_', ' ') + " of the device in this network namespace.").toList();

    @Override
    public ProbeInfo info() {
        return INFO;
    }

    @Override
    public void collectNamespace(Netns netns, NetnsReader reader, MetricSink out) throws Exception {
        byte[] bytes = reader.read("net/dev");
        if (bytes == null) {
            return;
        }
        NetDevParser.NetDev dev = NetDevParser.parse(ProcText.ascii(bytes));
        out.parseErrors(dev.malformedLines());
        for (NetDevParser.Device device : dev.devices()) {
            long[] values = device.values();
            for (int i = 0; i < values.length; i++) {
                out.counter(NAMES.get(i), HELP.get(i), values[i], "device", device.name());
            }
        }
    }
}
