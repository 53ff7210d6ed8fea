package dev.podnet.traffic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.Sh;
import dev.podnet.testing.TestAgent;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Namespaces with a device come and go while the agent is scraped: the traffic probe attaches to
 * some, loses others between listing their devices and attaching, and lets go of the gone ones, all
 * without a probe error, an attach error or a slot left behind.
 */
@Timeout(120)
class TrafficChurnIT {
    private static final int CHURNED = 30;

    @Test
    void namespacesWithDevicesComingAndGoingAreNoErrors() throws Exception {
        TrafficLab.assumeTrafficLab();
        try (NetnsLab lab = new NetnsLab(); TestAgent agent = TestAgent.start("probes: [traffic]\n")) {
            Scrape start = agent.scrape();
            AtomicBoolean stop = new AtomicBoolean();
            AtomicInteger made = new AtomicInteger();
            Thread churn = Thread.ofPlatform().start(() -> {
                for (int i = 0; !stop.get(); i++) {
                    String ns = lab.prefix() + "-churn" + (i % 8);
                    Sh.tryRun(List.of("ip", "netns", "add", ns));
                    Sh.tryRun(List.of("ip", "-n", ns, "link", "add", "d0", "type", "dummy"));
                    Sh.tryRun(List.of("ip", "-n", ns, "link", "add", "d1", "type", "dummy"));
                    made.incrementAndGet();
                    Sh.tryRun(List.of("ip", "netns", "del", lab.prefix() + "-churn" + ((i + 4) % 8)));
                }
            });
            try {
                // scrapes for as long as the churn takes to make its namespaces, however fast either goes
                long deadline = System.nanoTime() + 60_000_000_000L;
                while (made.get() < CHURNED && System.nanoTime() < deadline) {
                    agent.scrape();
                }
            } finally {
                stop.set(true);
                churn.join(10_000);
                for (int i = 0; i < 8; i++) {
                    Sh.tryRun(List.of("ip", "netns", "del", lab.prefix() + "-churn" + i));
                }
            }
            Scrape last = TrafficLab.awaitScrape(agent,
                    s -> s.value("podnet_traffic_namespaces") == start.value("podnet_traffic_namespaces"),
                    "every churned namespace let go");
            System.out.printf("traffic churn: %d namespaces made, %.0f vanished while collected%n", made.get(),
                    last.value("podnet_netns_vanished_total"));
            assertTrue(made.get() >= CHURNED, "the churn ran: " + made.get());
            assertEquals(0, last.value("podnet_probe_errors_total", "probe", "traffic"), agent.get("/status"));
            assertEquals(0, last.value("podnet_traffic_attach_errors_total"));
            assertEquals(start.value("podnet_traffic_devices", "attach", "tcx"), last.value("podnet_traffic_devices", "attach", "tcx"));
        }
    }
}
