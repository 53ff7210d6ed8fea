package dev.podnet.probe.procfs;

import static dev.podnet.testing.FakeProcfs.HOST_INODE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.testing.FakeProcfs;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.Sh;
import dev.podnet.testing.TestAgent;
import org.junit.jupiter.api.Test;

class SockstatProbeTest {
    private static final String POD = "4026532100";
    private static final String BROKEN = "4026532300";

    @Test
    void namespaceCountsPerNamespaceAndHostWideTotalsOnce() throws Exception {
        try (FakeProcfs proc = new FakeProcfs()) {
            proc.pid(1, HOST_INODE);
            proc.fixture("3.2/net/sockstat", "1/net/sockstat");
            proc.fixture("3.2/net/sockstat6", "1/net/sockstat6");
            proc.pid(100, Long.parseLong(POD));
            proc.fixture("6.18/net/sockstat", "100/net/sockstat");
            proc.fixture("6.18/net/sockstat6", "100/net/sockstat6");
            proc.pid(300, Long.parseLong(BROKEN));
            proc.fixture("malformed/net/sockstat", "300/net/sockstat");

            try (TestAgent agent = TestAgent.start(proc.yaml("sockstat"))) {
                Scrape s = agent.scrape();
                String host = Long.toString(HOST_INODE);
                assertEquals(312, s.value("podnet_sockstat_sockets_used", "netns", host));
                assertEquals(19, s.value("podnet_sockstat_sockets_used", "netns", POD));
                assertEquals(2, s.value("podnet_sockstat_tcp_inuse", "netns", POD));
                assertEquals(135, s.value("podnet_sockstat_tcp_tw", "netns", POD));
                assertEquals(6, s.value("podnet_sockstat_udp_inuse", "netns", host));
                assertEquals(1, s.value("podnet_sockstat_raw_inuse", "netns", host));
                assertEquals(0, s.value("podnet_sockstat_frag_memory_bytes", "netns", POD));
                assertEquals(1, s.value("podnet_sockstat6_tcp6_inuse", "netns", POD));
                assertEquals(4, s.value("podnet_sockstat6_tcp6_inuse", "netns", host));
                assertEquals(0, s.value("podnet_sockstat6_frag6_memory_bytes", "netns", host));

                // host-wide totals: one series each, without namespace labels, from the host's file
                for (String name : new String[] {"podnet_sockstat_tcp_orphan", "podnet_sockstat_tcp_alloc",
                        "podnet_sockstat_tcp_mem", "podnet_sockstat_udp_mem", "podnet_sockstat_tcp_mem_bytes"}) {
                    assertEquals(1, s.find(name).size(), name + ": " + s.find(name));
                    assertEquals("", s.find(name).getFirst().label("netns"), name);
                }
                assertEquals(2, s.value("podnet_sockstat_tcp_orphan"));
                assertEquals(25, s.value("podnet_sockstat_tcp_alloc"));
                assertEquals(9, s.value("podnet_sockstat_tcp_mem"));
                long pageSize = Long.parseLong(Sh.run("getconf", "PAGESIZE").strip());
                assertEquals(9 * pageSize, s.value("podnet_sockstat_tcp_mem_bytes"));
                assertEquals(3 * pageSize, s.value("podnet_sockstat_udp_mem_bytes"));

                assertEquals(5, s.value("podnet_sockstat_sockets_used", "netns", BROKEN));
                assertEquals(3, s.value("podnet_parse_errors_total", "probe", "sockstat"));
                assertEquals(0, s.value("podnet_probe_errors_total", "probe", "sockstat"));
                assertTrue(s.text().contains("# TYPE podnet_sockstat_tcp_inuse gauge"));
                assertTrue(s.find("podnet_sockstat_udplite_inuse").isEmpty(), "UDP-Lite is not a default");
                assertTrue(s.find("podnet_sockstat6_udplite6_inuse").isEmpty());
                assertEquals(12, perNamespace(s, POD), "6.18: every per-namespace value but UDP-Lite's");

                agent.rewriteConfig(proc.yaml("sockstat") + "probeSettings: {sockstat: {fields: \".*\"}}\n");
                Scrape all = agent.scrape();
                assertEquals(0, all.value("podnet_sockstat_udplite_inuse", "netns", POD));
                assertEquals(0, all.value("podnet_sockstat6_udplite6_inuse", "netns", POD));
                assertEquals(14, perNamespace(all, POD));

                agent.rewriteConfig(proc.yaml("sockstat") + "probeSettings: {sockstat: {fields: \"TCP_(tw|alloc)\"}}\n");
                Scrape two = agent.scrape();
                assertEquals(135, two.value("podnet_sockstat_tcp_tw", "netns", POD));
                assertEquals(25, two.value("podnet_sockstat_tcp_alloc"), "node-wide values are selected the same way");
                assertTrue(two.find("podnet_sockstat_tcp_orphan").isEmpty());
                assertEquals(1, perNamespace(two, POD));
            }
        }
    }

    private static long perNamespace(Scrape s, String netns) {
        return s.all().stream().filter(x -> x.name().startsWith("podnet_sockstat") && x.label("netns").equals(netns)).count();
    }
}
