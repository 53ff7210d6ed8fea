package dev.podnet.dashboards;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.podnet.deploy.RepoPaths;
import java.nio.file.Files;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * End to end: two pods of a mock cluster in real namespaces exchange traffic that makes every event the
 * dashboards show (loss, retransmits, resets, failed connects, drops, UDP); the agent runs with every
 * probe; a real Prometheus (the Debian package) scrapes it every 5 seconds and evaluates every dashboard
 * expression and variable query through its HTTP API. Each must succeed and return data, and where the
 * answer is per namespace, data of the test pods (see {@link DashboardQueries}).
 *
 * <p>The host may hold other tests' namespaces. Prometheus keeps only the series of the test pods'
 * namespaces and the node-wide ones (metric relabelling on {@code netns}), so a top-10 panel ranks the
 * test pods among themselves, and an aggregate without pod labels ({@code sum(rate(...))}) has data only
 * if the test pods' series do.
 */
@Timeout(value = 6, unit = TimeUnit.MINUTES)
class DashboardPrometheusIT {
    /** Rates over the dashboards' 30 s window need two samples of a series. */
    private static final int SCRAPES = 3;

    @Test
    void everyDashboardQueryReturnsDataOfTheTestPodsOnARealPrometheus() throws Exception {
        PodLab.assumeLab();
        assumeTrue(Files.isExecutable(PrometheusServer.BINARY),
                "needs a Prometheus server at " + PrometheusServer.BINARY + " (apt-get install prometheus)");
        try (PodLab pods = PodLab.start(); PodTraffic traffic = PodTraffic.start(pods)) {
            pods.awaitAttribution();
            traffic.awaitRounds(1); // the event-driven series exist from Prometheus's first scrape on
            Set<String> inodes = pods.pods().stream().map(PodLab.TestPod::inode).collect(Collectors.toSet());
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
                        metric_relabel_configs:
                          # the test pods' namespaces and node-wide series (no netns label) only
                          - source_labels: [netns]
                            regex: "|%s"
                            action: keep
                    """.formatted(pods.agent().port(), PodLab.NODE, String.join("|", inodes));
            DashboardQueries.TestPods test = new DashboardQueries.TestPods(PodLab.NODE, pods.namespace(),
                    Set.of(pods.web().name(), pods.db().name()), inodes);
            try (PrometheusServer prometheus = PrometheusServer.start(config)) {
                awaitScrapes(prometheus, pods);
                DashboardQueries.Outcome outcome = awaitAllAnswered(prometheus, test, traffic);
                outcome.answers().forEach(System.out::println);
                System.out.printf("%d dashboard queries ran after %d traffic rounds: %d returned series of the test pods,"
                        + " %d (node-wide or aggregated over pods) returned data%n",
                        outcome.queries(), traffic.rounds(), outcome.perPod(), outcome.nodeWide());
                assertTrue(outcome.perPod() > 50, "most queries are per pod: " + outcome.perPod());
            }
        }
    }

    /** Waits until Prometheus has stored {@link #SCRAPES} scrapes with the pods attributed. */
    private static void awaitScrapes(PrometheusServer prometheus, PodLab pods) throws Exception {
        String samples = "count_over_time(podnet_netns_info{node=\"%s\", pod=\"%s\"}[5m])".formatted(PodLab.NODE, pods.web().name());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
        while (System.nanoTime() < deadline) {
            List<JsonNode> v = prometheus.vector(samples);
            if (!v.isEmpty() && v.getFirst().path("value").get(1).asDouble() >= SCRAPES) {
                return; // samples are stored only from scrapes that Prometheus could parse
            }
            Thread.sleep(500);
        }
        throw new AssertionError("Prometheus did not store " + SCRAPES + " scrapes of podnet with the pods in 180s; up = "
                + prometheus.query("up") + "; log: " + prometheus.log());
    }

    /**
     * Evaluates all queries until every one is answered with data (a first pass may come before a rate has
     * two samples since the traffic's first round), for at most 90 s; a refused query fails at once.
     */
    private static DashboardQueries.Outcome awaitAllAnswered(PrometheusServer prometheus, DashboardQueries.TestPods test,
                                                             PodTraffic traffic) throws Exception {
        List<Dashboard> dashboards = Dashboard.loadAll(RepoPaths.dashboards());
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (true) {
            traffic.checkHealthy();
            DashboardQueries.Outcome outcome = DashboardQueries.evaluate(prometheus, test, dashboards);
            if (outcome.good()) {
                return outcome;
            }
            if (!outcome.refused().isEmpty() || System.nanoTime() > deadline) {
                fail(outcome.refused().size() + " refused and " + outcome.missing().size() + " without data of "
                        + outcome.queries() + " dashboard queries (test pods " + test + "):\n" + outcome.report());
            }
            Thread.sleep(5000);
        }
    }
}
