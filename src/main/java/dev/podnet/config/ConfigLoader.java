package dev.podnet.config;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.podnet.config.PodnetConfig.HostPort;
import dev.podnet.config.PodnetConfig.KubernetesMode;
import dev.podnet.config.PodnetConfig.PodLabel;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Reads and validates the YAML config. Every error names the field and the value that is wrong, so an
 * operator can fix a ConfigMap from the log line alone.
 */
public final class ConfigLoader {
    static final Set<String> FIELDS = Set.of("listen", "minInterval", "probeDeadline", "probes", "probeSettings",
            "procfs", "netnsDir", "kubernetes", "podLabels", "kubeconfig", "nodeName", "internalNetworks", "maxTasks", "tasks");

    private static final ObjectMapper YAML = new YAMLMapper();

    private final List<String> knownProbes;
    private final List<String> defaultProbes;
    private final SettingsCheck settingsCheck;
    private final HostTasks.TaskCheck taskCheck;

    /** Checks one probe's settings; throws IllegalArgumentException with a message naming the bad one. */
    @FunctionalInterface
    public interface SettingsCheck {
        void check(String probe, Map<String, Object> settings);
    }

    /**
     * @param knownProbes   every probe name the config may list
     * @param defaultProbes the probes run when the config lists none
     * @param settingsCheck validates {@code probeSettings.<probe>} (the probe catalog's check)
     */
    public ConfigLoader(List<String> knownProbes, List<String> defaultProbes, SettingsCheck settingsCheck) {
        this(knownProbes, defaultProbes, settingsCheck, task -> { });
    }

    /** As above, with {@code taskCheck} validating the spec of each of the config's {@code tasks}. */
    public ConfigLoader(List<String> knownProbes, List<String> defaultProbes, SettingsCheck settingsCheck,
                        HostTasks.TaskCheck taskCheck) {
        this.knownProbes = List.copyOf(knownProbes);
        this.defaultProbes = List.copyOf(defaultProbes);
        this.settingsCheck = settingsCheck;
        this.taskCheck = taskCheck;
    }

    /** A loader that takes any probe settings (for tests of the other fields). */
    public ConfigLoader(List<String> knownProbes, List<String> defaultProbes) {
        this(knownProbes, defaultProbes, (probe, settings) -> { });
    }

    /** The configuration used when no file is given. */
    public PodnetConfig defaults() {
        try {
            return parse("{}");
        } catch (ConfigException e) {
            throw new IllegalStateException("built-in defaults are invalid", e);
        }
    }

    public PodnetConfig load(Path file) throws ConfigException {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException("config file " + file + ": cannot read it: " + e.getMessage(), e);
        }
        try {
            return parse(text);
        } catch (ConfigException e) {
            throw new ConfigException("config file " + file + ": " + e.getMessage(), e);
        }
    }

    public PodnetConfig parse(String yaml) throws ConfigException {
        JsonNode root;
        try {
            root = YAML.readTree(yaml);
        } catch (JsonProcessingException e) {
            throw new ConfigException("not valid YAML: " + e.getOriginalMessage()
                    + (e.getLocation() != null ? " (line " + e.getLocation().getLineNr() + ")" : ""), e);
        }
        if (root == null || root.isMissingNode() || root.isNull()) {
            root = YAML.createObjectNode();
        }
        if (!root.isObject()) {
            throw new ConfigException("the config must be a mapping of fields, not " + root.getNodeType());
        }
        for (Iterator<String> it = root.fieldNames(); it.hasNext(); ) {
            String field = it.next();
            if (!FIELDS.contains(field)) {
                throw new ConfigException("unknown field \"" + field + "\" (known fields: " + String.join(", ", FIELDS.stream().sorted().toList()) + ")");
            }
        }
        HostPort listen = hostPort(text(root, "listen", "0.0.0.0:" + PodnetConfig.DEFAULT_PORT));
        Duration minInterval = Durations.parse("minInterval", text(root, "minInterval", "2s"));
        Duration deadline = Durations.parse("probeDeadline", text(root, "probeDeadline", "5s"));
        if (deadline.isZero()) {
            throw new ConfigException("probeDeadline: must be more than 0");
        }
        List<String> probes = probes(root.get("probes"));
        Map<String, Map<String, Object>> settings = probeSettings(root.get("probeSettings"));
        Path procfs = Path.of(text(root, "procfs", "/proc"));
        Path netnsDir = Path.of(text(root, "netnsDir", "/run/netns"));
        KubernetesMode kubernetes = kubernetesMode(root.get("kubernetes"));
        List<PodLabel> podLabels = podLabels(root.get("podLabels"));
        String kubeconfigText = text(root, "kubeconfig", null);
        Path kubeconfig = kubeconfigText == null || kubeconfigText.isBlank() ? null : Path.of(kubeconfigText);
        if (kubeconfig != null && kubernetes != KubernetesMode.OFF && !Files.isReadable(kubeconfig)) {
            throw new ConfigException("kubeconfig: " + kubeconfig + " does not exist or is not readable");
        }
        String nodeName = nodeName(text(root, "nodeName", null));
        List<Cidr> internalNetworks = Cidr.parseList(root.get("internalNetworks"), "internalNetworks", Cidr.DEFAULT_INTERNAL);
        int maxTasks = maxTasks(root.get("maxTasks"));
        List<HostTasks.HostTask> tasks = HostTasks.parse(root.get("tasks"), taskCheck);
        return new PodnetConfig(listen, minInterval, deadline, probes, settings, procfs, netnsDir, kubernetes, podLabels,
                kubeconfig, nodeName, internalNetworks, maxTasks, tasks);
    }

    private static String text(JsonNode root, String field, String fallback) throws ConfigException {
        JsonNode node = root.get(field);
        if (node == null || node.isNull()) {
            return fallback;
        }
        if (!node.isValueNode()) {
            throw new ConfigException(field + ": expected a single value, got " + node.getNodeType().toString().toLowerCase());
        }
        return node.asText();
    }

    /** Parses {@code HOST:PORT}, {@code :PORT} or {@code [v6]:PORT}. */
    public static HostPort hostPort(String text) throws ConfigException {
        int colon = text.lastIndexOf(':');
        if (colon < 0) {
            throw new ConfigException("listen: \"" + text + "\" is not HOST:PORT (e.g. 0.0.0.0:" + PodnetConfig.DEFAULT_PORT + " or :" + PodnetConfig.DEFAULT_PORT + ")");
        }
        String host = text.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        int port;
        try {
            port = Integer.parseInt(text.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new ConfigException("listen: \"" + text + "\" has no valid port number");
        }
        if (port < 0 || port > 65535) {
            throw new ConfigException("listen: port " + port + " is out of range 0-65535");
        }
        return new HostPort(host.isEmpty() ? "0.0.0.0" : host, port);
    }

    private List<String> probes(JsonNode node) throws ConfigException {
        if (node == null || node.isNull()) {
            return defaultProbes;
        }
        if (!node.isArray()) {
            throw new ConfigException("probes: expected a list of probe names, got " + node.getNodeType().toString().toLowerCase());
        }
        Set<String> names = new LinkedHashSet<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            if (!item.isTextual()) {
                throw new ConfigException("probes[" + i + "]: expected a probe name, got " + item);
            }
            String name = item.asText();
            if (!knownProbes.contains(name)) {
                throw new ConfigException("probes[" + i + "]: unknown probe \"" + name + "\" (known probes: " + String.join(", ", knownProbes) + ")");
            }
            if (!names.add(name)) {
                throw new ConfigException("probes[" + i + "]: probe \"" + name + "\" is listed twice");
            }
        }
        return List.copyOf(names);
    }

    private Map<String, Map<String, Object>> probeSettings(JsonNode node) throws ConfigException {
        Map<String, Map<String, Object>> result = new LinkedHashMap<>();
        if (node == null || node.isNull()) {
            return result;
        }
        if (!node.isObject()) {
            throw new ConfigException("probeSettings: expected a mapping of probe name to settings");
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (!knownProbes.contains(e.getKey())) {
                throw new ConfigException("probeSettings." + e.getKey() + ": unknown probe \"" + e.getKey() + "\"");
            }
            if (!e.getValue().isObject()) {
                throw new ConfigException("probeSettings." + e.getKey() + ": expected a mapping of settings");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> raw = YAML.convertValue(e.getValue(), Map.class);
            for (Map.Entry<String, Object> setting : raw.entrySet()) {
                if (setting.getValue() == null) {
                    throw new ConfigException("probeSettings." + e.getKey() + "." + setting.getKey() + ": has no value");
                }
            }
            Map<String, Object> values = Map.copyOf(raw);
            try {
                settingsCheck.check(e.getKey(), values);
            } catch (IllegalArgumentException bad) {
                throw new ConfigException(bad.getMessage(), bad);
            }
            result.put(e.getKey(), values);
        }
        return result;
    }

    private static KubernetesMode kubernetesMode(JsonNode node) throws ConfigException {
        if (node == null || node.isNull()) {
            return KubernetesMode.AUTO;
        }
        String text = node.asText().toLowerCase();
        return switch (text) {
            case "auto" -> KubernetesMode.AUTO;
            case "true", "on" -> KubernetesMode.ON;
            case "false", "off" -> KubernetesMode.OFF;
            default -> throw new ConfigException("kubernetes: \"" + node.asText() + "\" must be auto, true or false");
        };
    }

    /** A node name is a DNS subdomain: lower-case alphanumerics, '-' and '.', at most 253 characters. */
    private static int maxTasks(JsonNode node) throws ConfigException {
        if (node == null || node.isNull()) {
            return 10;
        }
        if (!node.isInt() || node.asInt() < 1 || node.asInt() > 100) {
            throw new ConfigException("maxTasks: expected a whole number from 1 to 100, got " + node);
        }
        return node.asInt();
    }

    private static String nodeName(String text) throws ConfigException {
        if (text == null || text.isBlank()) {
            return null;
        }
        if (text.length() > 253 || !text.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?")) {
            throw new ConfigException("nodeName: \"" + text + "\" is not a Kubernetes node name (lower-case letters, digits, '-' and '.')");
        }
        return text;
    }

    private static List<PodLabel> podLabels(JsonNode node) throws ConfigException {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new ConfigException("podLabels: expected a list of pod label keys");
        }
        List<String> keys = new ArrayList<>();
        for (int i = 0; i < node.size(); i++) {
            JsonNode item = node.get(i);
            if (!item.isTextual() || item.asText().isBlank()) {
                throw new ConfigException("podLabels[" + i + "]: expected a pod label key, got " + item);
            }
            keys.add(item.asText());
        }
        return PodLabels.of(keys, "podLabels");
    }
}
