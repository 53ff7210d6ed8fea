package dev.podnet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.testing.NetnsChurn;
import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.TestAgent;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * Named namespaces come and go about 120 times a second while the agent is scraped over and over: every
 * one that disappears between discovery and reading is a vanished namespace, never a probe error, however
 * it disappears (file gone, or still there but no longer a namespace).
 */
@Timeout(180)
class NetnsChurnIT {
    private static final List<String> PROBES = List.of("netdev", "snmp", "snmp6", "netstat", "sockstat", "softnet",
            "conntrack", "fd", "io", "tcpsummary", "qdisc", "traffic");
    private static final int PER_SECOND = 120;
    private static final int SCRAPES = 60;

    @Test
    void namespacesDeletedWhileCollectedAreVanishedNotErrors() throws Exception {
        NetnsLab.assumeKernelLab();
        try (NetnsLab lab = new NetnsLab();
             TestAgent agent = TestAgent.start("probes: [" + String.join(", ", PROBES) + "]\nkubernetes: off\n")) {
            NetnsChurn churn = lab.churn(PER_SECOND, Duration.ofMillis(40), Duration.ofMillis(40));
            try (churn) {
                for (int i = 0; i < SCRAPES; i++) {
                    agent.scrape();
                }
            }
            Scrape last = agent.scrape();
            double vanished = last.value("podnet_netns_vanished_total");
            System.out.printf("%d namespaces created, %.0f vanished while collected; errors %s%n", churn.created(), vanished,
                    last.find("podnet_probe_errors_total"));
            assertTrue(churn.created() >= SCRAPES, "the churn ran: " + churn.created() + " namespaces");
            assertTrue(vanished > 0, "some namespaces vanished between discovery and reading");
            for (String probe : PROBES) {
                assertEquals(0, last.value("podnet_probe_errors_total", "probe", probe),
                        probe + " counted errors; last: " + agent.get("/status"));
            }
        }
    }
}
