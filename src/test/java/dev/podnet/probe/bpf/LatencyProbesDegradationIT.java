package dev.podnet.probe.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.TestAgent;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A probe pointed at a tracepoint the kernel does not have (as after a rename) is unavailable, says
 * why, and every other probe keeps running.
 */
class LatencyProbesDegradationIT {
    private static final String MISSING = "podnet_no_such_tracepoint";

    @BeforeAll
    static void root() {
        NetnsLab.assumeKernelLab();
        BpfLab.assumeBpf();
    }

    @Test
    void softirqWithAMissingTracepointIsUnavailableWhileTheOthersRun() throws Exception {
        String yaml = """
                probes: [netdev, softirq, netiftx, sockbuf]
                probeSettings:
                  softirq:
                    tracepoints: {"irq/softirq_entry": "irq/%s"}
                """.formatted(MISSING);
        try (TestAgent agent = TestAgent.start(yaml)) {
            Scrape scrape = agent.scrape();
            assertEquals(0, scrape.value("podnet_probe_up", "probe", "softirq"));
            assertEquals(1, scrape.value("podnet_probe_up", "probe", "netiftx"));
            assertEquals(1, scrape.value("podnet_probe_up", "probe", "sockbuf"));
            assertEquals(1, scrape.value("podnet_probe_up", "probe", "netdev"));
            assertTrue(scrape.find(SoftirqProbe.METRIC + "_count").isEmpty(), "no softirq series");
            assertFalse(scrape.find("podnet_netdev_receive_bytes_total").isEmpty(), "netdev still reports");
            String status = agent.get("/status");
            assertTrue(status.contains(MISSING), "the reason names the missing tracepoint: " + status);
        }
    }

    @Test
    void netiftxAndSockbufWithMissingTracepointsAreUnavailableWhileSoftirqRuns() throws Exception {
        String yaml = """
                probes: [softirq, netiftx, sockbuf]
                probeSettings:
                  netiftx:
                    tracepoints: {"net/net_dev_xmit": "net/%1$s"}
                  sockbuf:
                    tracepoints: {"sock/sock_exceed_buf_limit": "sock/%1$s"}
                """.formatted(MISSING);
        try (TestAgent agent = TestAgent.start(yaml)) {
            Scrape scrape = agent.scrape();
            assertEquals(0, scrape.value("podnet_probe_up", "probe", "netiftx"));
            assertEquals(0, scrape.value("podnet_probe_up", "probe", "sockbuf"));
            assertEquals(1, scrape.value("podnet_probe_up", "probe", "softirq"));
            assertEquals(4, scrape.find(SoftirqProbe.METRIC + "_count").size(), "softirq reports its 4 histograms");
            assertTrue(scrape.find("podnet_bpf_map_entries", "probe", "netiftx").isEmpty(), "nothing left of netiftx");
        }
    }
}
