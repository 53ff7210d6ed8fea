package dev.podnet.probe.procfs;

import dev.podnet.netns.Netns;
import dev.podnet.netns.NetnsReader;
import dev.podnet.probe.MetricSink;
import dev.podnet.probe.Overhead;
import dev.podnet.probe.Probe;
import dev.podnet.probe.ProbeContext;
import dev.podnet.probe.ProbeInfo;
import dev.podnet.probe.ProbeSource;
import dev.podnet.procfs.NetDevParser;
import dev.podnet.procfs.ProcText;
import java.util.List;
import java.util.Map;

/**
 * Interface counters of each namespace, from its {@code net/dev}. By default bytes, packets, errors and
 * drops in each direction; {@code probeSettings.netdev.fields} (a regular expression over the column
 * names of {@link NetDevParser#COLUMNS}, {@code receive_fifo}, {@code transmit_carrier}...) picks others,
 * see {@link FieldSelection}.
 */
public final class NetdevProbe implements Probe {
    private static final ProbeInfo INFO = new ProbeInfo("netdev", ProbeSource.PROCFS, Overhead.LOW, true, true, false,
            "Interface bytes, packets, errors, drops per device (net/dev)");
    /**
     * Left out by default: fifo, frame, compressed, multicast, colls and carrier, which a veth or any
     * virtual device never counts and which tell of physical links and old drivers elsewhere.
     */
    static final String DEFAULT_FIELDS = "(receive|transmit)_(bytes|packets|errs|drop)";
    private static final List<String> NAMES = NetDevParser.COLUMNS.stream().map(c -> "podnet_netdev_" + c + "_total").toList();
    private static final List<String> HELP = NetDevParser.COLUMNS.stream()
            .map(c -> "net/dev " + c.replace('_', ' ') + " of the device in this network namespace.").toList();

    private volatile boolean[] selected = selected(Map.of());

    @Override
    public ProbeInfo info() {
        return INFO;
    }

    @Override
    public void checkSettings(Map<String, Object> settings) {
        selected(settings);
    }

    @Override
    public void start(ProbeContext context) {
        selected = selected(context.settings());
    }

    /** Which of {@link NetDevParser#COLUMNS} the settings select. */
    private static boolean[] selected(Map<String, Object> settings) {
        FieldSelection selection = FieldSelection.of(INFO.name(), settings, DEFAULT_FIELDS);
        boolean[] columns = new boolean[NetDevParser.COLUMNS.size()];
        for (int i = 0; i < columns.length; i++) {
            columns[i] = selection.selects(NetDevParser.COLUMNS.get(i));
        }
        return columns;
    }

    @Override
    public void collectNamespace(Netns netns, NetnsReader reader, MetricSink out) throws Exception {
        byte[] bytes = reader.read("net/dev");
        if (bytes == null) {
            return;
        }
        NetDevParser.NetDev dev = NetDevParser.parse(ProcText.ascii(bytes));
        out.parseErrors(dev.malformedLines());
        boolean[] columns = selected;
        for (NetDevParser.Device device : dev.devices()) {
            long[] values = device.values();
            for (int i = 0; i < values.length; i++) {
                if (columns[i]) {
                    out.counter(NAMES.get(i), HELP.get(i), values[i], "device", device.name());
                }
            }
        }
    }
}
