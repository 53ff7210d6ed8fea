package dev.podnet.dashboards;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * Evaluates every expression of some dashboards on a Prometheus, the way Grafana would: first the query
 * variables, in order, each substituted into the next; then every panel target with all variables
 * substituted. Says what is wrong with each answer.
 *
 * <p>The variables {@code $node}, {@code $namespace} and {@code $pod} get the test's node, Kubernetes
 * namespace and pods, which their queries must offer; every other variable gets all the values its query
 * offers (a regex alternation, as Grafana's "All"). An answer is good when it is an instant vector with a
 * number (not NaN) in it and, if its series carry {@code netns}, {@code namespace} or {@code pod}, when
 * one of those with a number is a test pod's: that Kubernetes namespace, one of the pods, its network
 * namespace.
 */
final class DashboardQueries {
    private static final Set<String> POD_LABELS = Set.of("netns", "namespace", "pod");

    /** What the test pods are: the node, their Kubernetes namespace, pod names and netns inodes. */
    record TestPods(String node, String namespace, Set<String> pods, Set<String> inodes) {
        /** The values a variable over this label must offer, or null if it is not one of ours. */
        Set<String> required(String label) {
            return switch (label) {
                case "node" -> Set.of(node);
                case "namespace" -> Set.of(namespace);
                case "pod" -> pods;
                default -> null;
            };
        }

        boolean owns(JsonNode metric) {
            String netns = metric.path("netns").asText("");
            return namespace.equals(metric.path("namespace").asText(""))
                    && pods.contains(metric.path("pod").asText(""))
                    && (netns.isEmpty() || inodes.contains(netns));
        }
    }

    /** The outcome of one pass: queries Prometheus refused, queries whose answers lacked data, every answer in short. */
    record Outcome(int queries, int perPod, int nodeWide, List<String> refused, List<String> missing, List<String> answers) {
        boolean good() {
            return refused.isEmpty() && missing.isEmpty();
        }

        String report() {
            return (refused.isEmpty() ? "" : "refused by Prometheus:\n  " + String.join("\n  ", refused) + "\n")
                    + (missing.isEmpty() ? "" : "without data for the test pods:\n  " + String.join("\n  ", missing));
        }
    }

    private final PrometheusServer prometheus;
    private final TestPods test;
    private final List<String> refused = new ArrayList<>();
    private final List<String> missing = new ArrayList<>();
    private final List<String> answers = new ArrayList<>();
    private int queries;
    private int perPod;
    private int nodeWide;

    private DashboardQueries(PrometheusServer prometheus, TestPods test) {
        this.prometheus = prometheus;
        this.test = test;
    }

    /** Evaluates every variable and panel query of these dashboards once. */
    static Outcome evaluate(PrometheusServer prometheus, TestPods test, List<Dashboard> dashboards) throws Exception {
        DashboardQueries run = new DashboardQueries(prometheus, test);
        for (Dashboard d : dashboards) {
            run.dashboard(d);
        }
        return new Outcome(run.queries, run.perPod, run.nodeWide, List.copyOf(run.refused), List.copyOf(run.missing),
                List.copyOf(run.answers));
    }

    private void dashboard(Dashboard d) throws Exception {
        Map<String, String> values = new HashMap<>();
        for (Dashboard.Variable v : d.variables()) {
            if (v.type().equals("query")) {
                values.put(v.name(), variable(d.file() + " variable $" + v.name(), v, values));
            }
        }
        for (Dashboard.Panel p : d.panels()) {
            for (Dashboard.Target t : p.targets()) {
                String where = d.file() + " \"" + p.title() + "\" " + t.refId();
                check(where, Dashboard.substitute(t.expr(), values));
            }
        }
    }

    /** Evaluates a variable's selector and returns the value to substitute for it. */
    private String variable(String where, Dashboard.Variable v, Map<String, String> values) throws Exception {
        String selector = Dashboard.substitute(v.selector(), values);
        JsonNode result = check(where, selector);
        Set<String> offered = new TreeSet<>();
        if (result != null) {
            result.forEach(series -> offered.add(series.path("metric").path(v.label()).asText("")));
            offered.remove("");
        }
        Set<String> required = test.required(v.label());
        if (required != null) {
            if (!offered.containsAll(required)) {
                missing.add(where + ": offers " + offered + ", not all of the test's " + required + "; query: " + selector);
            }
            return alternation(required);
        }
        return offered.isEmpty() ? ".*" : alternation(offered);
    }

    /** Evaluates one expression and records what is wrong with its answer; returns its result when it is a vector. */
    private JsonNode check(String where, String expr) throws Exception {
        queries++;
        JsonNode answer = prometheus.query(expr);
        if (!"success".equals(answer.path("status").asText())) {
            refused.add(where + ": " + answer.path("error").asText() + "; query: " + expr);
            return null;
        }
        JsonNode data = answer.path("data");
        if (!data.path("resultType").asText().equals("vector")) {
            refused.add(where + ": a " + data.path("resultType").asText() + ", not an instant vector; query: " + expr);
            return null;
        }
        JsonNode result = data.path("result");
        answers.add(where + ": " + describe(result.valueStream().toList()));
        List<JsonNode> perPodSeries = result.valueStream()
                .filter(s -> POD_LABELS.stream().anyMatch(l -> s.path("metric").has(l))).toList();
        if (result.isEmpty()) {
            missing.add(where + ": no series at all; query: " + expr);
        } else if (!perPodSeries.isEmpty()) {
            if (perPodSeries.stream().anyMatch(s -> test.owns(s.path("metric")) && isNumber(s))) {
                perPod++;
            } else {
                missing.add(where + ": no series of the test pods with a number; got " + describe(perPodSeries) + "; query: " + expr);
            }
        } else if (result.valueStream().anyMatch(DashboardQueries::isNumber)) {
            nodeWide++;
        } else {
            missing.add(where + ": only NaN; got " + describe(result.valueStream().toList()) + "; query: " + expr);
        }
        return result;
    }

    private static boolean isNumber(JsonNode series) {
        String value = series.path("value").path(1).asText("NaN");
        return !value.equals("NaN");
    }

    private static String describe(List<JsonNode> series) {
        return series.stream().limit(5).map(s -> s.path("metric") + "=" + s.path("value").path(1).asText())
                .collect(Collectors.joining(", ")) + (series.size() > 5 ? " and " + (series.size() - 5) + " more" : "");
    }

    /** The values as a Grafana multi-value regex: (a|b), each value's regex characters escaped. */
    static String alternation(Set<String> values) {
        return values.stream().sorted().map(DashboardQueries::escape).collect(Collectors.joining("|", "(", ")"));
    }

    /** Escapes RE2 metacharacters; the backslash is doubled again for the PromQL string the regex sits in. */
    private static String escape(String value) {
        StringBuilder out = new StringBuilder();
        for (char c : value.toCharArray()) {
            if ("\\.+*?()|[]{}^$".indexOf(c) >= 0) {
                out.append("\\\\");
            }
            out.append(c);
        }
        return out.toString();
    }
}
