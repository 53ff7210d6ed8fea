package dev.podnet.dashboards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.podnet.deploy.RepoPaths;
import dev.podnet.testing.TestAgent;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * End to end: a real Prometheus scrapes the in-process agent every 2 seconds, then evaluates every dashboard
 * expression and variable query with the variables substituted ($node = the node label the scrape config
 * sets, the others .*). Every query must succeed; a query whose metrics Prometheus has stored must return data.
 */
class DashboardPrometheusIT {
    private static final String NODE = "podnet-e2e-node";
    private static final int SCRAPES = 3;

    @Test
    void everyDashboardQueryRunsOnARealPrometheusScrapingPodnet() throws Exception {
        assumeTrue(Files.isExecutable(PrometheusServer.BINARY),
                "needs a Prometheus server at " + PrometheusServer.BINARY + " (apt-get install prometheus)");
        try (TestAgent agent = TestAgent.start("probeDeadline: 3s\n")) {
            LoopbackTraffic.generate();
            agent.scrape();
            LoopbackTraffic.generate(); // event-driven series exist before Prometheus's first scrape
            String config = """
                    global:
                      # 5s, with the agent's probe deadline at 3s: on a loaded machine with many namespaces a
                      # collection can take seconds, and a timed-out scrape stores nothing.
                      scrape_interval: 5s
                      scrape_timeout: 5s
                    scrape_configs:
                      - job_name: podnet
                        honor_labels: true
                        static_configs:
                          - targets: ["127.0.0.1:%d"]
                            labels: {node: "%s"}
                    """.formatted(agent.port(), NODE);
            try (PrometheusServer prometheus = PrometheusServer.start(config)) {
                awaitScrapes(prometheus);
                Set<String> stored = new TreeSet<>();
                prometheus.vector("count by (__name__) ({__name__=~\"podnet_.+\"})")
                        .forEach(s -> stored.add(s.path("metric").path("__name__").asText()));
                checkAllQueries(prometheus, stored);
            }
        }
    }

    private static void awaitScrapes(PrometheusServer prometheus) throws Exception {
        String samples = "count_over_time(podnet_netns_discovered{node=\"" + NODE + "\"}[5m])";
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            List<JsonNode> v = prometheus.vector(samples);
            if (!v.isEmpty() && v.getFirst().path("value").get(1).asDouble() >= SCRAPES) {
                return; // samples are stored only from scrapes that Prometheus could parse
            }
            Thread.sleep(500);
        }
        throw new AssertionError("Prometheus did not store " + SCRAPES + " scrapes of podnet in 180s; up = "
                + prometheus.query("up") + "; log: " + prometheus.log());
    }

    private static void checkAllQueries(PrometheusServer prometheus, Set<String> stored) throws Exception {
        List<String> failed = new ArrayList<>();
        List<String> noData = new ArrayList<>();
        int withData = 0;
        int queries = 0;
        for (Dashboard d : Dashboard.loadAll(RepoPaths.dashboards())) {
            Map<String, String> values = new HashMap<>();
            d.variables().forEach(v -> values.put(v.name(), ".*"));
            values.put("node", NODE);
            List<String[]> checks = new ArrayList<>();
            for (Dashboard.Panel p : d.panels()) {
                p.targets().forEach(t -> checks.add(new String[] {"\"" + p.title() + "\" " + t.refId(), t.expr()}));
            }
            d.variables().stream().filter(v -> v.type().equals("query"))
                    .forEach(v -> checks.add(new String[] {"variable $" + v.name(), v.selector()}));
            for (String[] check : checks) {
                queries++;
                String where = d.file() + " " + check[0];
                String expr = Dashboard.substitute(check[1], values);
                JsonNode answer = prometheus.query(expr);
                if (!"success".equals(answer.path("status").asText())) {
                    failed.add(where + ": " + answer.path("error").asText() + " in: " + expr);
                } else if (stored.containsAll(PromQlNames.of(check[1]))) {
                    if (answer.path("data").path("result").isEmpty()) {
                        noData.add(where + ": " + expr);
                    } else {
                        withData++;
                    }
                }
            }
        }
        assertEquals(List.of(), failed, "queries Prometheus refused");
        assertEquals(List.of(), noData, "queries without data although Prometheus has their metrics " + stored);
        System.out.printf("%d dashboard queries ran; %d returned data; the rest use metrics not exported on this branch%n",
                queries, withData);
        assertTrue(withData >= 10, "only " + withData + " queries had data; stored metrics: " + stored);
    }
}
