package dev.podnet.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/** A Grafana dashboard JSON reduced to what tests check: panels, their PromQL targets, and the variables. */
public record Dashboard(String file, JsonNode json, List<Panel> panels, List<Variable> variables) {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern VARIABLE_REF = Pattern.compile("\\$\\{(\\w+)(?::\\w+)?}|\\$(\\w+)|\\[\\[(\\w+)]]");
    private static final Pattern LABEL_VALUES = Pattern.compile("label_values\\((?:(.+),\\s*)?(\\w+)\\)");
    /** Grafana's own interval variables, with the values the tests use for them. */
    public static final Map<String, String> BUILTINS = Map.of("__rate_interval", "30s", "__interval", "15s", "__range", "5m");

    public record Panel(int id, String type, String title, String repeat, List<Target> targets, JsonNode json) {
        public boolean isRow() {
            return type.equals("row");
        }
    }

    public record Target(String refId, String expr, String format, String datasourceUid) {
    }

    /** A dashboard variable; for a query variable, {@code query} is its label_values(...) text. */
    public record Variable(String name, String type, String query) {
        /** The series selector of label_values(selector, label), or the label's bare name when there is none. */
        public String selector() {
            Matcher m = LABEL_VALUES.matcher(query.strip());
            if (!m.matches()) {
                throw new AssertionError("variable " + name + ": not label_values(selector, label): " + query);
            }
            return m.group(1) != null ? m.group(1).strip() : "{" + m.group(2) + "=~\".+\"}";
        }

        public String label() {
            Matcher m = LABEL_VALUES.matcher(query.strip());
            if (!m.matches()) {
                throw new AssertionError("variable " + name + ": not label_values(selector, label): " + query);
            }
            return m.group(2);
        }
    }

    public static List<Dashboard> loadAll(Path dir) throws IOException {
        List<Dashboard> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.filter(p -> p.toString().endsWith(".json")).sorted().toList()) {
                out.add(load(f));
            }
        }
        return out;
    }

    public static Dashboard load(Path file) throws IOException {
        JsonNode json = JSON.readTree(file.toFile());
        List<Panel> panels = new ArrayList<>();
        for (JsonNode p : json.path("panels")) {
            panels.add(panel(p));
            for (JsonNode nested : p.path("panels")) { // panels inside a collapsed row
                panels.add(panel(nested));
            }
        }
        List<Variable> variables = new ArrayList<>();
        for (JsonNode v : json.path("templating").path("list")) {
            JsonNode q = v.path("query");
            String query = q.isObject() ? q.path("query").asText() : q.asText();
            variables.add(new Variable(v.path("name").asText(), v.path("type").asText(), query));
        }
        return new Dashboard(file.getFileName().toString(), json, List.copyOf(panels), List.copyOf(variables));
    }

    private static Panel panel(JsonNode p) {
        List<Target> targets = new ArrayList<>();
        for (JsonNode t : p.path("targets")) {
            targets.add(new Target(t.path("refId").asText(), t.path("expr").asText(""), t.path("format").asText("time_series"),
                    t.path("datasource").path("uid").asText()));
        }
        return new Panel(p.path("id").asInt(), p.path("type").asText(), p.path("title").asText(),
                p.path("repeat").asText(null), List.copyOf(targets), p);
    }

    public String uid() {
        return json.path("uid").asText();
    }

    public List<Target> targets() {
        return panels.stream().flatMap(p -> p.targets().stream()).toList();
    }

    /**
     * Replaces every {@code $var}, {@code ${var}} and {@code [[var]]} by its value from {@code values} or
     * {@link #BUILTINS}; an undefined variable is an error, as it would be an empty string in Grafana.
     */
    public static String substitute(String text, Map<String, String> values) {
        Matcher m = VARIABLE_REF.matcher(text);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String name = m.group(1) != null ? m.group(1) : m.group(2) != null ? m.group(2) : m.group(3);
            String value = values.containsKey(name) ? values.get(name) : BUILTINS.get(name);
            if (value == null) {
                throw new AssertionError("undefined variable $" + name + " in: " + text);
            }
            m.appendReplacement(out, Matcher.quoteReplacement(value));
        }
        m.appendTail(out);
        return out.toString();
    }
}
