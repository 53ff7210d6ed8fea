package dev.podnet.probe.procfs;

import dev.podnet.probe.Probe;
import dev.podnet.probe.ProbeContext;
import dev.podnet.probe.ProbeInfo;
import java.util.Map;
import java.util.Set;

/**
 * What the MIB-file probes (snmp, snmp6, netstat) share: their field selection comes from
 * {@code probeSettings.<probe>.fields} (see {@link FieldSelection}) and decides which metrics they emit.
 */
abstract class MibProbe implements Probe {
    private final ProbeInfo info;
    private final String file;
    private final String path;
    private final Set<String> gauges;
    private final String defaultFields;
    private volatile MibMetrics metrics;

    /**
     * @param file          the file's short name in metric names ({@code snmp})
     * @param path          the file as help texts name it ({@code /proc/net/snmp})
     * @param gauges        fields that are levels, as {@code "Group Field"}
     * @param defaultFields the selection without a {@code fields} setting
     */
    MibProbe(ProbeInfo info, String file, String path, Set<String> gauges, String defaultFields) {
        this.info = info;
        this.file = file;
        this.path = path;
        this.gauges = gauges;
        this.defaultFields = defaultFields;
        this.metrics = metrics(Map.of());
    }

    @Override
    public final ProbeInfo info() {
        return info;
    }

    @Override
    public final void checkSettings(Map<String, Object> settings) {
        metrics(settings);
    }

    @Override
    public final void start(ProbeContext context) {
        metrics = metrics(context.settings());
    }

    /** The names, help texts and selection of this probe's fields, as configured. */
    final MibMetrics metrics() {
        return metrics;
    }

    private MibMetrics metrics(Map<String, Object> settings) {
        return new MibMetrics(file, path, gauges, FieldSelection.of(info.name(), settings, defaultFields));
    }
}
