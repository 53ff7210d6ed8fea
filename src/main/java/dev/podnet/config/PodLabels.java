package dev.podnet.config;

import dev.podnet.config.PodnetConfig.PodLabel;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Pod labels copied onto series, as the config's {@code podLabels} and a MonitorPolicy's {@code podLabel}
 * name them: at most {@link #MAX}, each a Kubernetes label key turned into a Prometheus label name that
 * podnet does not use itself and that no other entry of the list becomes.
 */
public final class PodLabels {
    /** Labels podnet itself puts on series; a pod label may not take one of these names. */
    public static final Set<String> RESERVED = Set.of("netns", "namespace", "pod", "node", "task", "ipfamily",
            "srcip", "dstip", "srcport", "dstport", "protocol", "name", "probe", "device", "reason", "state",
            "direction", "le", "cpu", "type", "phase", "kind", "result", "shift");
    public static final int MAX = 10;

    private PodLabels() {
    }

    /**
     * @param keys  the Kubernetes label keys, in order
     * @param field the config field, for messages ({@code podLabels}, {@code spec.podLabel})
     */
    public static List<PodLabel> of(List<String> keys, String field) throws ConfigException {
        if (keys.size() > MAX) {
            throw new ConfigException(field + ": " + keys.size() + " labels given, at most " + MAX + " are allowed");
        }
        List<PodLabel> labels = new ArrayList<>();
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < keys.size(); i++) {
            String key = keys.get(i);
            if (key == null || key.isBlank()) {
                throw new ConfigException(field + "[" + i + "]: expected a pod label key, got " + (key == null ? "null" : "\"\""));
            }
            String name = sanitize(key);
            if (RESERVED.contains(name)) {
                throw new ConfigException(field + "[" + i + "]: \"" + key + "\" becomes label \"" + name
                        + "\", which podnet already uses; reserved: " + String.join(", ", RESERVED.stream().sorted().toList()));
            }
            if (!names.add(name)) {
                throw new ConfigException(field + "[" + i + "]: \"" + key + "\" becomes label \"" + name + "\", like an earlier entry");
            }
            labels.add(new PodLabel(key, name));
        }
        return List.copyOf(labels);
    }

    /** A Prometheus label name for a Kubernetes label key: {@code app.kubernetes.io/name} -> {@code app_kubernetes_io_name}. */
    public static String sanitize(String key) {
        StringBuilder sb = new StringBuilder(key.length() + 1);
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            boolean legal = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
            sb.append(legal ? c : '_');
        }
        if (Character.isDigit(sb.charAt(0))) {
            sb.insert(0, '_');
        }
        String name = sb.toString();
        if (name.startsWith("__")) {
            name = "pod" + name; // names starting with __ are reserved by Prometheus
        }
        return name;
    }
}
