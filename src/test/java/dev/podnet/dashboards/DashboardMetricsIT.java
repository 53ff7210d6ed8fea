package dev.podnet.dashboards;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.deploy.RepoPaths;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.TestAgent;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Every metric a dashboard queries is one podnet produces: the names come from a real scrape of the
 * in-process agent with its default probes, after some loopback traffic, plus the short, marked list of
 * metrics whose probes are on other branches ({@link MetricsOnOtherBranches}).
 */
class DashboardMetricsIT {
    private static Set<String> scraped;

    @BeforeAll
    static void scrape() throws Exception {
        try (TestAgent agent = TestAgent.start("")) {
            LoopbackTraffic.generate();
            agent.scrape(); // a first collection sees the namespaces; event-driven probes may count from here
            LoopbackTraffic.generate();
            Scrape scrape = agent.scrape();
            scraped = new TreeSet<>(scrape.all().stream().map(Scrape.Series::name).toList());
        }
        assertTrue(scraped.contains("podnet_probe_up"), "the scrape has podnet's own metrics: " + scraped);
    }

    @Test
    void everyDashboardMetricIsProducedByPodnet() throws Exception {
        List<String> unknown = new ArrayList<>();
        int checked = 0;
        for (Dashboard d : Dashboard.loadAll(RepoPaths.dashboards())) {
            for (Dashboard.Panel p : d.panels()) {
                for (Dashboard.Target t : p.targets()) {
                    for (String name : PromQlNames.of(t.expr())) {
                        checked++;
                        if (!scraped.contains(name) && !MetricsOnOtherBranches.NAMES.contains(name)) {
                            unknown.add(d.file() + " \"" + p.title() + "\" " + t.refId() + ": " + name);
                        }
                    }
                }
            }
            for (Dashboard.Variable v : d.variables()) {
                if (v.type().equals("query")) {
                    for (String name : PromQlNames.of(v.selector())) {
                        checked++;
                        if (!scraped.contains(name) && !MetricsOnOtherBranches.NAMES.contains(name)) {
                            unknown.add(d.file() + " variable $" + v.name() + ": " + name);
                        }
                    }
                }
            }
        }
        assertTrue(checked > 50, "dashboards reference metrics: " + checked);
        assertEquals(List.of(), unknown, "metrics podnet does not produce; it exports "
                + scraped.stream().filter(n -> n.startsWith("podnet_")).toList());
    }

    @Test
    void pendingListHoldsNoMetricTheAgentAlreadyExports() {
        Set<String> stale = new TreeSet<>(MetricsOnOtherBranches.NAMES);
        stale.retainAll(scraped);
        assertEquals(Set.of(), stale, "the agent exports these now: remove them from MetricsOnOtherBranches");
    }
}
