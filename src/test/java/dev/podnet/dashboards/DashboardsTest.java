package dev.podnet.dashboards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.deploy.RepoPaths;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The dashboards' structure: panels with queries, defined variables, the filters each view promises. */
class DashboardsTest {
    /**
     * Series with no netns/namespace/pod labels: host-global values, reported once per node, and the
     * histograms that are node-wide by default (a pod view shows the node's).
     */
    static final Set<String> NODE_WIDE = Set.of("podnet_softnet_processed_total", "podnet_softnet_dropped_total",
            "podnet_softnet_time_squeeze_total", "podnet_softirq_latency_seconds_bucket", "podnet_probe_up",
            "podnet_softirq_latency_sample_ratio", "podnet_netif_tx_latency_sample_ratio",
            "podnet_netif_tx_latency_seconds_bucket", "podnet_tcp_rtt_seconds_bucket", "podnet_packet_size_bytes_bucket");
    private static final Pattern SELECTOR = Pattern.compile("(podnet_\\w+)(\\{[^}]*})?");

    private static List<Dashboard> dashboards;

    @BeforeAll
    static void load() throws Exception {
        dashboards = Dashboard.loadAll(RepoPaths.dashboards());
    }

    static Map<String, String> anyValue(Dashboard d) {
        Map<String, String> values = new HashMap<>();
        d.variables().forEach(v -> values.put(v.name(), ".*"));
        return values;
    }

    @Test
    void aNodeViewAndAPodView() {
        assertEquals(Set.of("podnet-node", "podnet-pod"), Set.copyOf(dashboards.stream().map(Dashboard::uid).toList()));
        Dashboard pod = dashboards.stream().filter(d -> d.uid().equals("podnet-pod")).findFirst().orElseThrow();
        Set<String> names = new HashSet<>(pod.variables().stream().map(Dashboard.Variable::name).toList());
        assertTrue(names.containsAll(Set.of("datasource", "node", "namespace", "pod")), "pod view variables: " + names);
    }

    @Test
    void everyPanelQueriesTheSelectedDatasourceWithAnExpression() {
        for (Dashboard d : dashboards) {
            Set<Integer> ids = new HashSet<>();
            for (Dashboard.Panel p : d.panels()) {
                String where = d.file() + " panel \"" + p.title() + "\"";
                assertTrue(ids.add(p.id()), where + ": duplicate panel id " + p.id());
                int x = p.json().path("gridPos").path("x").asInt(-1);
                int w = p.json().path("gridPos").path("w").asInt(-1);
                assertTrue(x >= 0 && w > 0 && x + w <= 24, where + ": gridPos out of the 24 columns");
                if (p.isRow()) {
                    continue;
                }
                assertFalse(p.targets().isEmpty(), where + " has no target");
                Set<String> refIds = new HashSet<>();
                for (Dashboard.Target t : p.targets()) {
                    assertFalse(t.expr().isBlank(), where + " target " + t.refId() + " has no expr");
                    assertTrue(refIds.add(t.refId()), where + ": duplicate refId " + t.refId());
                    assertEquals("${datasource}", t.datasourceUid(), where + " must use the $datasource variable");
                }
            }
        }
    }

    @Test
    void everyVariableUsedIsDefinedAndQueryVariablesUseOnlyEarlierOnes() {
        for (Dashboard d : dashboards) {
            Map<String, String> values = anyValue(d);
            for (Dashboard.Panel p : d.panels()) {
                Dashboard.substitute(p.title(), values);
                p.targets().forEach(t -> Dashboard.substitute(t.expr(), values));
                if (p.repeat() != null) {
                    assertTrue(values.containsKey(p.repeat()), d.file() + " panel repeats over undefined $" + p.repeat());
                }
            }
            Map<String, String> defined = new HashMap<>();
            for (Dashboard.Variable v : d.variables()) {
                if (v.type().equals("query")) {
                    Dashboard.substitute(v.selector(), defined); // throws on a later or unknown variable
                }
                defined.put(v.name(), ".*");
            }
            assertEquals("datasource", d.variables().getFirst().type(), d.file() + ": the first variable picks the data source");
        }
    }

    @Test
    void everyExpressionSelectsPodnetMetricsFilteredByTheViewsVariables() {
        for (Dashboard d : dashboards) {
            boolean podView = d.uid().equals("podnet-pod");
            List<String> exprs = new ArrayList<>(d.targets().stream().map(Dashboard.Target::expr).toList());
            d.variables().stream().filter(v -> v.type().equals("query")).forEach(v -> exprs.add(v.selector()));
            for (String expr : exprs) {
                Set<String> names = PromQlNames.of(expr);
                assertFalse(names.isEmpty(), d.file() + ": selects no metric: " + expr);
                names.forEach(n -> assertTrue(n.startsWith("podnet_"), d.file() + ": not a podnet metric " + n + " in " + expr));
                Matcher m = SELECTOR.matcher(expr);
                while (m.find()) {
                    String matchers = m.group(2) == null ? "" : m.group(2);
                    if (m.group(1).equals("podnet_probe_up") && matchers.isEmpty()) {
                        continue; // the $node variable's own source
                    }
                    assertTrue(matchers.contains("node=~\"$node\""), d.file() + ": not filtered by $node: " + expr);
                    if (podView && !NODE_WIDE.contains(m.group(1)) && d.targets().stream().anyMatch(t -> t.expr().equals(expr))) {
                        assertTrue(matchers.contains("namespace=~\"$namespace\"") && matchers.contains("pod=~\"$pod\""),
                                d.file() + ": pod view query not filtered by $namespace and $pod: " + expr);
                    }
                }
            }
        }
    }

    @Test
    void heatmapsShowPrometheusHistogramBuckets() {
        int heatmaps = 0;
        for (Dashboard d : dashboards) {
            for (Dashboard.Panel p : d.panels()) {
                if (!p.type().equals("heatmap")) {
                    continue;
                }
                heatmaps++;
                for (Dashboard.Target t : p.targets()) {
                    assertEquals("heatmap", t.format(), d.file() + " " + p.title());
                    Set<String> names = PromQlNames.of(t.expr());
                    assertTrue(t.expr().startsWith("sum by (le) (rate(") && names.stream().anyMatch(n -> n.endsWith("_bucket")),
                            d.file() + " " + p.title() + ": a heatmap sums bucket rates by le: " + t.expr());
                    for (String n : names) {
                        if (n.endsWith("_bucket")) {
                            // the sampling probes' counts are about one event in N: shown as estimated rates
                            String ratio = n.replace("_seconds_bucket", "_sample_ratio");
                            boolean sampled = n.startsWith("podnet_softirq_") || n.startsWith("podnet_netif_tx_");
                            assertEquals(sampled, t.expr().contains("/ on(node) group_left " + ratio),
                                    d.file() + " " + p.title() + ": sampled rates divided by " + ratio + ": " + t.expr());
                        } else {
                            assertTrue(n.endsWith("_sample_ratio"), d.file() + " " + p.title() + ": only buckets and "
                                    + "their sample ratio: " + t.expr());
                        }
                    }
                }
            }
        }
        assertTrue(heatmaps >= 3, "softirq and transmit latency heatmaps");
    }
}
