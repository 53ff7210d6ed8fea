package dev.podnet.config;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The config's {@code tasks}: monitoring tasks without Kubernetes, each selecting named network
 * namespaces by a name pattern and carrying a MonitorPolicy spec. The spec's own fields are checked by
 * the {@link TaskCheck} the loader is given (the policy compiler), so a bad one is refused at load, with
 * its place named, like every other config error.
 */
public final class HostTasks {
    private static final Set<String> FIELDS = Set.of("name", "namespaces", "spec");
    private static final ObjectMapper JSON = new ObjectMapper();

    private HostTasks() {
    }

    /**
     * A task of the config file.
     *
     * @param name       the {@code task} label of its series
     * @param namespaces a glob over named network namespaces ({@code *} any run of characters, {@code ?} one)
     * @param spec       the MonitorPolicy spec, as written
     */
    public record HostTask(String name, String namespaces, Map<String, Object> spec) {
        public HostTask {
            spec = Map.copyOf(spec);
        }
    }

    /** Checks a task's spec; throws IllegalArgumentException naming the bad field. */
    @FunctionalInterface
    public interface TaskCheck {
        void check(HostTask task);
    }

    static List<HostTask> parse(JsonNode node, TaskCheck check) throws ConfigException {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw new ConfigException("tasks: expected a list of tasks, got " + node.getNodeType());
        }
        List<HostTask> tasks = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < node.size(); i++) {
            String at = "tasks[" + i + "]";
            JsonNode task = node.get(i);
            if (!task.isObject()) {
                throw new ConfigException(at + ": expected a mapping with name, namespaces and spec");
            }
            for (Iterator<String> it = task.fieldNames(); it.hasNext(); ) {
                String field = it.next();
                if (!FIELDS.contains(field)) {
                    throw new ConfigException(at + ": unknown field \"" + field + "\" (known: name, namespaces, spec)");
                }
            }
            String name = task.path("name").asText("");
            if (!name.matches("[a-z0-9]([-a-z0-9.]*[a-z0-9])?") || name.length() > 63) {
                throw new ConfigException(at + ".name: \"" + name + "\" must be lower-case letters, digits, '-' or '.' "
                        + "(at most 63), starting and ending with a letter or digit");
            }
            if (!names.add(name)) {
                throw new ConfigException(at + ".name: \"" + name + "\" is the name of an earlier task");
            }
            JsonNode pattern = task.get("namespaces");
            if (pattern == null || !pattern.isTextual() || pattern.asText().isBlank()) {
                throw new ConfigException(at + ".namespaces: expected a name pattern such as \"app-*\"");
            }
            JsonNode spec = task.get("spec");
            if (spec != null && !spec.isNull() && !spec.isObject()) {
                throw new ConfigException(at + ".spec: expected a MonitorPolicy spec (a mapping)");
            }
            Map<String, Object> specMap = spec == null || spec.isNull() ? Map.of()
                    : JSON.convertValue(spec, new TypeReference<Map<String, Object>>() { });
            HostTask parsed = new HostTask(name, pattern.asText(), specMap);
            try {
                check.check(parsed);
            } catch (IllegalArgumentException e) {
                throw new ConfigException(at + " (" + name + "): " + e.getMessage());
            }
            tasks.add(parsed);
        }
        return tasks;
    }

    /** The glob as a regular expression over the whole name. */
    public static String globToRegex(String glob) {
        StringBuilder regex = new StringBuilder();
        for (char c : glob.toCharArray()) {
            switch (c) {
                case '*' -> regex.append(".*");
                case '?' -> regex.append('.');
                default -> regex.append(java.util.regex.Pattern.quote(String.valueOf(c)));
            }
        }
        return regex.toString();
    }
}
