package dev.podnet.probe.procfs;

import dev.podnet.netns.Netns;
import dev.podnet.netns.NetnsReader;
import dev.podnet.netns.NetnsReaders;
import dev.podnet.probe.MetricSink;
import dev.podnet.probe.NodeView;
import dev.podnet.probe.Overhead;
import dev.podnet.probe.Probe;
import dev.podnet.probe.ProbeContext;
import dev.podnet.probe.ProbeInfo;
import dev.podnet.probe.ProbeSource;
import dev.podnet.procfs.ProcText;
import dev.podnet.procfs.SockstatParser;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Socket counts from {@code net/sockstat} and {@code net/sockstat6}. Most of them are per namespace
 * (sockets used, TCP inuse and tw, UDP inuse, fragments), but TCP orphan and alloc and every {@code mem}
 * are the kernel's host-wide totals, printed the same in every namespace: those are reported once,
 * node-wide, from the host's file, so that summing over pods does not multiply them.
 *
 * <p>{@code mem} is in pages; it is also reported in bytes ({@code _mem_bytes}) using the page size
 * libc reports. FRAG {@code memory} is already in bytes, hence {@code _memory_bytes}.
 *
 * <p>By default every value but UDP-Lite's; {@code probeSettings.sockstat.fields}, a regular
 * expression over {@code GROUP_key} names as the files print them ({@code sockets_used},
 * {@code TCP_tw}, {@code UDPLITE6_inuse}), picks others, see {@link FieldSelection}.
 */
public final class SockstatProbe implements Probe {
    private static final ProbeInfo INFO = new ProbeInfo("sockstat", ProbeSource.PROCFS, Overhead.LOW, true, true, true,
            "Sockets in use per namespace; TCP orphans, allocations and socket memory node-wide (net/sockstat, net/sockstat6)");
    private static final Map<String, String> DESCRIPTIONS = Map.of(
            "sockets used", "Sockets of every family in use",
            "TCP inuse", "TCP sockets in use (listening or connected)",
            "TCP tw", "TCP connections in TIME_WAIT",
            "TCP orphan", "TCP sockets no process holds any more (closed, still finishing), host-wide",
            "TCP alloc", "TCP sockets allocated, host-wide (all namespaces, IPv4 and IPv6)",
            "TCP mem", "Pages of TCP socket buffers, host-wide",
            "UDP mem", "Pages of UDP socket buffers, host-wide",
            "FRAG inuse", "IPv4 packets being reassembled from fragments",
            "FRAG memory", "Bytes held by IPv4 fragment reassembly");

    /** UDP-Lite is almost never used, and on its way out of the kernel: its two values are always 0. */
    static final String DEFAULT_FIELDS = "sockets_used|TCP_(inuse|orphan|tw|alloc|mem)|UDP_(inuse|mem)|RAW_inuse"
            + "|FRAG_(inuse|memory)|TCP6_inuse|UDP6_inuse|RAW6_inuse|FRAG6_(inuse|memory)";

    /** The metric(s) of one sockstat value: the value as printed, and bytes where it is in pages; null name: not selected. */
    private record Spec(String name, String help, String bytesName, String bytesHelp) {
    }

    /** The configured selection, and the specs worked out under it. */
    private record Config(FieldSelection selection, ConcurrentHashMap<String, Spec> specs) {
        static Config of(Map<String, Object> settings) {
            return new Config(FieldSelection.of(INFO.name(), settings, DEFAULT_FIELDS), new ConcurrentHashMap<>());
        }
    }

    private volatile Config config = Config.of(Map.of());

    @Override
    public ProbeInfo info() {
        return INFO;
    }

    @Override
    public void checkSettings(Map<String, Object> settings) {
        Config.of(settings);
    }

    @Override
    public void start(ProbeContext context) {
        config = Config.of(context.settings());
    }

    /** Whether a value is one of the kernel's host-wide totals rather than the namespace's own. */
    static boolean isHostWide(String group, String key) {
        return key.equals("mem") || (group.equals("TCP") && (key.equals("orphan") || key.equals("alloc")));
    }

    @Override
    public void collectNamespace(Netns netns, NetnsReader reader, MetricSink out) throws Exception {
        emit(reader.read("net/sockstat"), "sockstat", false, out);
        emit(reader.read("net/sockstat6"), "sockstat6", false, out);
    }

    @Override
    public void collectNode(NodeView node, MetricSink out) throws Exception {
        byte[] bytes;
        if (node.host() != null) {
            bytes = NetnsReaders.forNetns(node.procRoot(), node.host(), node.enterer()).read("net/sockstat");
        } else {
            try {
                bytes = Files.readAllBytes(node.procRoot().resolve("net/sockstat")); // host-wide values: any view will do
            } catch (NoSuchFileException e) {
                bytes = null;
            }
        }
        emit(bytes, "sockstat", true, out);
    }

    private void emit(byte[] bytes, String file, boolean hostWide, MetricSink out) {
        if (bytes == null) {
            return;
        }
        SockstatParser.Sockstat sockstat = SockstatParser.parse(ProcText.ascii(bytes));
        if (!hostWide) {
            out.parseErrors(sockstat.malformedLines()); // the node pass reads the host's file again: count once
        }
        for (SockstatParser.Entry e : sockstat.entries()) {
            if (isHostWide(e.group(), e.key()) != hostWide) {
                continue;
            }
            Spec spec = spec(file, e.group(), e.key());
            if (spec.name == null) {
                continue;
            }
            out.gauge(spec.name, spec.help, e.value());
            if (spec.bytesName != null) {
                out.gauge(spec.bytesName, spec.bytesHelp, e.value() * PageSize.BYTES);
            }
        }
    }

    private Spec spec(String file, String group, String key) {
        Config current = config;
        ConcurrentHashMap<String, Spec> specs = current.specs();
        String cacheKey = file + ' ' + group + ' ' + key;
        Spec known = specs.get(cacheKey);
        if (known != null) {
            return known;
        }
        if (!current.selection().selects(group, key)) {
            Spec none = new Spec(null, null, null, null);
            if (specs.size() < 1024) {
                specs.putIfAbsent(cacheKey, none);
            }
            return none;
        }
        String base = "podnet_" + file + "_" + MibMetrics.sanitize(group.toLowerCase(Locale.ROOT)) + "_"
                + MibMetrics.sanitize(ProcText.snakeCase(key));
        String what = DESCRIPTIONS.getOrDefault(group + " " + key, group + " " + key);
        String where = " (" + group + " " + key + " in /proc/net/" + file + ")";
        String scope = isHostWide(group, key) ? "." : ", in this network namespace.";
        Spec spec;
        if (key.equals("memory")) {
            spec = new Spec(base + "_bytes", what + where + scope, null, null);
        } else if (key.equals("mem") && PageSize.BYTES > 0) {
            spec = new Spec(base, what + where + scope, base + "_bytes",
                    what.replace("Pages of", "Bytes of") + where + ", times the page size" + scope);
        } else {
            spec = new Spec(base, what + where + scope, null, null);
        }
        if (specs.size() < 1024) {
            specs.putIfAbsent(cacheKey, spec);
        }
        return spec;
    }
}
