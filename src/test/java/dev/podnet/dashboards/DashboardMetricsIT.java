package dev.podnet.dashboards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.deploy.RepoPaths;
import dev.podnet.testing.Scrape;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Every metric a dashboard queries is one podnet produces, checked without Prometheus (so it runs where
 * the Prometheus server is not installed, and names the metric rather than the query): the agent with
 * every probe, two pods of a mock cluster exchanging the traffic of {@link PodTraffic}, and scrapes until
 * each name the dashboards use has appeared, for at most 60 s.
 */
@Timeout(value = 4, unit = TimeUnit.MINUTES)
class DashboardMetricsIT {
    @Test
    void everyDashboardMetricIsProducedByPodnet() throws Exception {
        PodLab.assumeLab();
        Map<String, String> wanted = dashboardMetrics();
        assertTrue(wanted.size() > 50, "dashboards reference metrics: " + wanted.size());
        try (PodLab pods = PodLab.start(); PodTraffic traffic = PodTraffic.start(pods)) {
            pods.awaitAttribution();
            traffic.awaitRounds(1);
            Set<String> scraped = new TreeSet<>();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!scraped.containsAll(wanted.keySet()) && System.nanoTime() < deadline) {
                traffic.checkHealthy();
                pods.agent().scrape().all().stream().map(Scrape.Series::name).forEach(scraped::add);
                Thread.sleep(500);
            }
            List<String> unknown = new ArrayList<>();
            wanted.forEach((name, where) -> {
                if (!scraped.contains(name)) {
                    unknown.add(where + ": " + name);
                }
            });
            assertEquals(List.of(), unknown, "metrics podnet did not produce after " + traffic.rounds()
                    + " traffic rounds; it exports " + scraped.stream().filter(n -> n.startsWith("podnet_")).toList());
        }
    }

    /** Each metric name the dashboards query, with the first place that uses it. */
    private static Map<String, String> dashboardMetrics() throws Exception {
        Map<String, String> names = new LinkedHashMap<>();
        for (Dashboard d : Dashboard.loadAll(RepoPaths.dashboards())) {
            for (Dashboard.Panel p : d.panels()) {
                for (Dashboard.Target t : p.targets()) {
                    PromQlNames.of(t.expr()).forEach(n -> names.putIfAbsent(n, d.file() + " \"" + p.title() + "\" " + t.refId()));
                }
            }
            for (Dashboard.Variable v : d.variables()) {
                if (v.type().equals("query")) {
                    PromQlNames.of(v.selector()).forEach(n -> names.putIfAbsent(n, d.file() + " variable $" + v.name()));
                }
            }
        }
        return names;
    }
}
