package dev.podnet.probe.procfs;

import dev.podnet.probe.MetricSink;
import dev.podnet.procfs.ProcText;
import dev.podnet.procfs.SnmpParser;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Metric names and help texts of kernel MIB fields ({@code /proc/net/snmp}, {@code netstat},
 * {@code snmp6}), worked out once per field and cached: a scrape emits hundreds of these per namespace,
 * for hundreds of namespaces, so no name is built twice.
 *
 * <p>Names follow the contract mechanically: {@code podnet_<file>_<group lower case>_<Field in snake
 * case>}, with {@code _total} for counters ({@code Tcp ActiveOpens} in snmp ->
 * {@code podnet_snmp_tcp_active_opens_total}). The few fields that are levels, not counts, are gauges.
 */
final class MibMetrics {
    /** Bounds the caches in case a file ever comes with endless distinct names. */
    private static final int CACHE_LIMIT = 4096;

    /** How one field is exported; a field the selection leaves out is not. */
    record Spec(String name, String help, boolean gauge, boolean selected) {
        void emit(MetricSink out, double value) {
            if (!selected) {
                return;
            }
            if (gauge) {
                out.gauge(name, help, value);
            } else {
                out.counter(name, help, value);
            }
        }
    }

    private final String file;
    private final String path;
    private final Set<String> gauges;
    private final FieldSelection selection;
    private final ConcurrentHashMap<SnmpParser.Header, Spec[]> byHeader = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Spec> byName = new ConcurrentHashMap<>();

    /**
     * @param file   the file's short name in metric names ({@code snmp})
     * @param path   the file as help texts name it ({@code /proc/net/snmp})
     * @param gauges    fields that are levels, as {@code "Group Field"} ({@code "Tcp CurrEstab"})
     * @param selection the fields to export
     */
    MibMetrics(String file, String path, Set<String> gauges, FieldSelection selection) {
        this.file = file;
        this.path = path;
        this.gauges = gauges;
        this.selection = selection;
    }

    /** Specs of a header's fields, in its field order. */
    Spec[] specs(SnmpParser.Header header) {
        Spec[] known = byHeader.get(header);
        if (known != null) {
            return known;
        }
        Spec[] specs = new Spec[header.fields().size()];
        for (int i = 0; i < specs.length; i++) {
            String field = header.fields().get(i);
            specs[i] = build(header.group(), field, header.group() + " " + field);
        }
        if (byHeader.size() < CACHE_LIMIT) {
            byHeader.putIfAbsent(header, specs);
        }
        return specs;
    }

    /** The cached spec of a field by its full kernel name (snmp6, whose names hold the group), or null. */
    Spec cached(String key) {
        return byName.get(key);
    }

    /** Works out and caches the spec of a field by its full kernel name {@code key}. */
    Spec spec(String key, String group, String field) {
        Spec spec = build(group, field, key);
        if (byName.size() < CACHE_LIMIT) {
            byName.putIfAbsent(key, spec);
        }
        return spec;
    }

    /**
     * {@code HMac} is the one spelling in today's MIBs that snake-cases badly ({@code h_mac}, which
     * promtool takes for an hour unit); it becomes {@code hmac}.
     */
    private Spec build(String group, String field, String kernelName) {
        boolean gauge = gauges.contains(group + " " + field);
        String base = "podnet_" + file + "_" + (group.isEmpty() ? "" : sanitize(group.toLowerCase(java.util.Locale.ROOT)) + "_")
                + sanitize(ProcText.snakeCase(field.replace("HMac", "Hmac")));
        String help = (gauge ? "Kernel MIB value " : "Kernel MIB counter ") + kernelName + " from " + path
                + " of this network namespace.";
        return new Spec(gauge ? base : base + "_total", help, gauge, selection.selects(group, field));
    }

    /** Keeps metric names valid whatever a kernel prints: anything but [a-z0-9_] becomes '_'. */
    static String sanitize(String s) {
        StringBuilder sb = null;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            boolean ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
            if (!ok) {
                if (sb == null) {
                    sb = new StringBuilder(s);
                }
                sb.setCharAt(i, '_');
            }
        }
        return sb == null ? s : sb.toString();
    }
}
