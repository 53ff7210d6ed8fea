package dev.podnet.probe.procfs;

import dev.podnet.probe.MetricSink;
import dev.podnet.probe.NodeView;
import dev.podnet.probe.Overhead;
import dev.podnet.probe.Probe;
import dev.podnet.probe.ProbeInfo;
import dev.podnet.probe.ProbeSource;
import dev.podnet.procfs.ProcText;
import dev.podnet.procfs.SoftnetParser;
import dev.podnet.procfs.SoftnetParser.Column;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;

/**
 * Per-CPU packet processing of the receive softirq, from {@code net/softnet_stat}: the kernel keeps it
 * per CPU for the whole host (every namespace prints the same), so it is reported once, node-wide, with
 * a {@code cpu} label. Columns an older kernel lacks are not reported.
 */
public final class SoftnetProbe implements Probe {
    private static final ProbeInfo INFO = new ProbeInfo("softnet", ProbeSource.PROCFS, Overhead.LOW, true, false, true,
            "Per-CPU softirq packet processing, drops and time squeezes, node-wide (net/softnet_stat)");
    private static final Column[] COLUMNS = Column.values();
    private static final String[] NAMES = new String[COLUMNS.length];
    private static final String[] HELP = new String[COLUMNS.length];

    static {
        String[] what = {
            "Packets processed by the receive softirq of this CPU (net/softnet_stat column 1).",
            "Packets dropped because this CPU's backlog queue was full, netdev_max_backlog (net/softnet_stat column 2).",
            "Times the receive softirq ran out of budget or time with work left (net/softnet_stat column 3).",
            "Times this CPU collided taking a device's transmit lock; always 0 since kernel 4.x (net/softnet_stat column 9).",
            "Times this CPU was woken by another to process packets steered by RPS (net/softnet_stat column 10).",
            "Packets dropped by the RPS flow limit (net/softnet_stat column 11).",
            "Packets waiting in this CPU's backlog queues now (net/softnet_stat column 12).",
            "Packets waiting in this CPU's input queue now (net/softnet_stat column 14).",
            "Packets waiting in this CPU's process queue now (net/softnet_stat column 15).",
        };
        for (Column c : COLUMNS) {
            String base = "podnet_softnet_" + c.name().toLowerCase(java.util.Locale.ROOT);
            NAMES[c.ordinal()] = c.isGauge() ? base : base + "_total";
            HELP[c.ordinal()] = what[c.ordinal()];
        }
    }

    @Override
    public ProbeInfo info() {
        return INFO;
    }

    @Override
    public void collectNode(NodeView node, MetricSink out) throws Exception {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(node.procRoot().resolve("net/softnet_stat"));
        } catch (NoSuchFileException e) {
            return;
        }
        SoftnetParser.Softnet softnet = SoftnetParser.parse(ProcText.ascii(bytes));
        out.parseErrors(softnet.malformedLines());
        for (SoftnetParser.CpuRow row : softnet.rows()) {
            String cpu = Integer.toString(row.cpu());
            for (Column c : COLUMNS) {
                long value = row.get(c);
                if (value == SoftnetParser.ABSENT) {
                    continue;
                }
                if (c.isGauge()) {
                    out.gauge(NAMES[c.ordinal()], HELP[c.ordinal()], value, "cpu", cpu);
                } else {
                    out.counter(NAMES[c.ordinal()], HELP[c.ordinal()], value, "cpu", cpu);
                }
            }
        }
    }
}
