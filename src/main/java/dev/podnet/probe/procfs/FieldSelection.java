package dev.podnet.probe.procfs;

import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Which fields of a kernel file a procfs probe exports. The kernel prints about 500 fields per namespace
 * across snmp, snmp6 and netstat, most of them zero for a namespace's whole life (MPTcpExt alone has
 * about 80), and 16 columns per device in net/dev; exporting all of them for every pod would make most
 * of a pod's series, and with them the scrape cost and the Prometheus storage. As node_exporter's
 * {@code --collector.netstat.fields} does, each probe has a default regular expression over its field
 * names ({@code TcpExt_ListenOverflows}, {@code Ip6_InReceives}, {@code receive_fifo},
 * {@code insert_failed}) that {@code probeSettings.<probe>.fields} replaces; {@code ".*"} exports all.
 */
public final class FieldSelection {
    public static final String SETTING = "fields";

    private final Pattern pattern;

    private FieldSelection(Pattern pattern) {
        this.pattern = pattern;
    }

    /**
     * The selection configured in {@code settings} (the probe's {@code probeSettings}), or the default.
     *
     * @throws IllegalArgumentException naming the setting, for an unknown key or a bad expression
     */
    public static FieldSelection of(String probe, Map<String, Object> settings, String defaultRegex) {
        for (String key : settings.keySet()) {
            if (!key.equals(SETTING)) {
                throw new IllegalArgumentException("probeSettings." + probe + "." + key
                        + ": unknown setting; this probe knows " + Set.of(SETTING));
            }
        }
        Object value = settings.get(SETTING);
        if (value == null) {
            return new FieldSelection(Pattern.compile(defaultRegex));
        }
        if (!(value instanceof String regex) || regex.isBlank()) {
            throw new IllegalArgumentException("probeSettings." + probe + "." + SETTING
                    + ": expected a regular expression over the probe's field names (\".*\" for all), got " + value);
        }
        try {
            return new FieldSelection(Pattern.compile(regex));
        } catch (PatternSyntaxException e) {
            throw new IllegalArgumentException("probeSettings." + probe + "." + SETTING + ": \"" + regex
                    + "\" is not a regular expression: " + e.getDescription(), e);
        }
    }

    /** Whether {@code Group_Field} is exported; the expression must match the whole name. */
    boolean selects(String group, String field) {
        return selects(group + "_" + field);
    }

    /** Whether the field {@code name} is exported; the expression must match the whole name. */
    boolean selects(String name) {
        return pattern.matcher(name).matches();
    }

    @Override
    public String toString() {
        return pattern.pattern();
    }
}
