package dev.podnet.probe.procfs;

import dev.podnet.netns.Netns;
import dev.podnet.netns.NetnsReader;
import dev.podnet.probe.MetricSink;
import dev.podnet.probe.NodeView;
import dev.podnet.probe.Overhead;
import dev.podnet.probe.Probe;
import dev.podnet.probe.ProbeContext;
import dev.podnet.probe.ProbeInfo;
import dev.podnet.probe.ProbeSource;
import dev.podnet.procfs.ConntrackStatParser;
import dev.podnet.procfs.ProcText;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Connection tracking of each namespace, from its {@code net/stat/nf_conntrack} (present once the
 * nf_conntrack module is loaded): the entries of its table and the per-CPU event counters, summed. By
 * default the entries and the columns that tell of new connections and of trouble;
 * {@code probeSettings.conntrack.fields} (a regular expression over the kernel's column names,
 * {@code found}, {@code icmp_error}...) picks others, see {@link FieldSelection}. Node-wide, the table
 * limit and the host's entry count from the {@code nf_conntrack_max} and {@code nf_conntrack_count}
 * sysctls.
 *
 * <p>Sysctls under /proc/sys/net show the namespace of the thread that reads them, not of a pid, so
 * the host's are read directly only when podnet itself runs in the host namespace, else by entering it.
 */
public final class ConntrackProbe implements Probe {
    private static final ProbeInfo INFO = new ProbeInfo("conntrack", ProbeSource.PROCFS, Overhead.LOW, true, true, true,
            "Conntrack entries and events per namespace (net/stat/nf_conntrack); table limit node-wide");
    private static final String ENTRIES_HELP =
            "Conntrack entries of this network namespace's table (entries in /proc/net/stat/nf_conntrack).";
    private static final String COUNT_HELP =
            "Conntrack entries of the host network namespace (/proc/sys/net/netfilter/nf_conntrack_count read in the host namespace).";
    private static final String MAX_HELP =
            "Size limit of the conntrack table (/proc/sys/net/netfilter/nf_conntrack_max of the host).";
    private static final ConcurrentHashMap<String, String[]> COLUMN_METRICS = new ConcurrentHashMap<>();
    /**
     * Left out by default: lookups that found an entry (found, searched), ICMP errors tracked, the
     * expectation counters of helpers (FTP, SIP), and new, ignore, delete and delete_list, which current
     * kernels no longer count (6.18 prints 0 for the first three and has no delete_list).
     */
    static final String DEFAULT_FIELDS = "entries|insert|insert_failed|drop|early_drop|invalid|search_restart|clashres"
            + "|chainlength";

    /** The configured selection and what it says of each column seen, so no column is matched twice. */
    private record Columns(FieldSelection selection, ConcurrentHashMap<String, Boolean> selected) {
        static Columns of(Map<String, Object> settings) {
            return new Columns(FieldSelection.of(INFO.name(), settings, DEFAULT_FIELDS), new ConcurrentHashMap<>());
        }

        boolean selects(String column) {
            Boolean known = selected.get(column);
            if (known != null) {
                return known;
            }
            boolean yes = selection.selects(column);
            if (selected.size() < 256) { // columns are few; the bound only guards against garbage headers
                selected.putIfAbsent(column, yes);
            }
            return yes;
        }
    }

    private volatile Columns columns = Columns.of(Map.of());

    @Override
    public ProbeInfo info() {
        return INFO;
    }

    @Override
    public void checkSettings(Map<String, Object> settings) {
        Columns.of(settings);
    }

    @Override
    public void start(ProbeContext context) {
        columns = Columns.of(context.settings());
    }

    @Override
    public void collectNamespace(Netns netns, NetnsReader reader, MetricSink out) throws Exception {
        byte[] bytes = reader.read("net/stat/nf_conntrack");
        if (bytes == null) {
            return;
        }
        ConntrackStatParser.ConntrackStat stat = ConntrackStatParser.parse(ProcText.ascii(bytes));
        out.parseErrors(stat.malformedLines());
        Columns selected = columns;
        if (stat.entries() >= 0 && selected.selects("entries")) {
            out.gauge("podnet_conntrack_stat_entries", ENTRIES_HELP, stat.entries());
        }
        long[] counters = stat.counters();
        for (int i = 0; i < counters.length; i++) {
            String column = stat.columns().get(i);
            if (!selected.selects(column)) {
                continue;
            }
            String[] metric = COLUMN_METRICS.get(column);
            if (metric == null) {
                metric = columnMetric(column);
                if (COLUMN_METRICS.size() < 256) { // columns are few; the bound only guards against garbage headers
                    COLUMN_METRICS.putIfAbsent(column, metric);
                }
            }
            out.counter(metric[0], metric[1], counters[i]);
        }
    }

    private static String[] columnMetric(String column) {
        String name = "podnet_conntrack_stat_" + MibMetrics.sanitize(column.toLowerCase(Locale.ROOT)) + "_total";
        return new String[] {name, "Conntrack " + column + " events of this network namespace, summed over CPUs ("
                + column + " in /proc/net/stat/nf_conntrack)."};
    }

    @Override
    public void collectNode(NodeView node, MetricSink out) throws Exception {
        if (node.host() == null) {
            return;
        }
        Path netfilter = node.procRoot().resolve("sys/net/netfilter");
        long[] values;
        // Collection runs on virtual threads whose carriers may change between these two reads; that is
        // fine because no carrier ever leaves the process's namespace (only the enterer's thread does).
        if (ownNetnsInode(node.procRoot()) == node.host().inode()) {
            values = readSysctls(netfilter);
        } else {
            values = node.enterer().call(node.host(), () -> readSysctls(netfilter));
        }
        if (values[0] >= 0) {
            out.gauge("podnet_conntrack_host_entries", COUNT_HELP, values[0]);
        }
        if (values[1] >= 0) {
            out.gauge("podnet_conntrack_max", MAX_HELP, values[1]);
        }
    }

    /** nf_conntrack_count and nf_conntrack_max as this thread sees them, -1 where absent. */
    private static long[] readSysctls(Path netfilter) throws IOException {
        return new long[] {readLong(netfilter.resolve("nf_conntrack_count")), readLong(netfilter.resolve("nf_conntrack_max"))};
    }

    private static long readLong(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.ISO_8859_1).strip();
        } catch (NoSuchFileException e) {
            return -1; // nf_conntrack not loaded
        }
        try {
            return Long.parseLong(text);
        } catch (NumberFormatException e) {
            throw new IOException(file + " holds '" + text + "', not a number");
        }
    }

    /** The namespace of the thread running now, from {@code thread-self/ns/net}, or -1 when unreadable. */
    static long ownNetnsInode(Path procRoot) {
        for (String link : new String[] {"thread-self/ns/net", "self/ns/net"}) {
            try {
                String target = Files.readSymbolicLink(procRoot.resolve(link)).toString();
                int open = target.indexOf('[');
                int close = target.indexOf(']', open + 1);
                if (open >= 0 && close > open) {
                    return Long.parseLong(target, open + 1, close, 10);
                }
            } catch (IOException | NumberFormatException | UnsupportedOperationException e) {
                // try the next
            }
        }
        return -1;
    }
}
