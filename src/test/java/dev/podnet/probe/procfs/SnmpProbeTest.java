package dev.podnet.probe.procfs;

import static dev.podnet.testing.FakeProcfs.HOST_INODE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.testing.FakeProcfs;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.TestAgent;
import org.junit.jupiter.api.Test;

/** The snmp probe through discovery, the engine and /metrics, on namespaces of three kernels' formats. */
class SnmpProbeTest {
    private static final String ALL_FIELDS = "probeSettings: {snmp: {fields: \".*\"}}\n";
    private static final String POD = "4026532100";
    private static final String OLD = "4026532200";
    private static final String BROKEN = "4026532300";

    @Test
    void everyFieldOfEveryNamespaceWithGaugesForLevels() throws Exception {
        try (FakeProcfs proc = new FakeProcfs()) {
            proc.pid(1, HOST_INODE);
            proc.fixture("6.18/net/snmp", "1/net/snmp");
            proc.pid(100, Long.parseLong(POD));
            proc.pid(101, Long.parseLong(POD));
            proc.fixture("4.19/net/snmp", "100/net/snmp");
            proc.pid(200, Long.parseLong(OLD));
            proc.fixture("3.2/net/snmp", "200/net/snmp");
            proc.pid(300, Long.parseLong(BROKEN));
            proc.fixture("malformed/net/snmp", "300/net/snmp");
            proc.pid(400, 4026532400L); // a namespace whose kernel has no net/snmp: no series, no error

            try (TestAgent agent = TestAgent.start(proc.yaml("snmp") + ALL_FIELDS)) {
                Scrape s = agent.scrape();
                String host = Long.toString(HOST_INODE);
                assertEquals(323, s.value("podnet_snmp_tcp_active_opens_total", "netns", host));
                assertEquals(1204567, s.value("podnet_snmp_tcp_active_opens_total", "netns", POD));
                assertEquals(44021, s.value("podnet_snmp_tcp_active_opens_total", "netns", OLD));
                assertEquals(150, s.value("podnet_snmp_udp_no_ports_total", "netns", OLD));
                assertEquals(143, s.value("podnet_snmp_tcp_curr_estab", "netns", POD));
                assertEquals(-1, s.value("podnet_snmp_tcp_max_conn", "netns", host));
                assertEquals(2, s.value("podnet_snmp_ip_forwarding", "netns", host));
                assertEquals(64, s.value("podnet_snmp_ip_default_ttl", "netns", OLD));
                assertEquals(7168, s.value("podnet_snmp_ip_out_transmits_total", "netns", host));
                assertTrue(s.find("podnet_snmp_ip_out_transmits_total", "netns", OLD).isEmpty(), "3.2 has no OutTransmits");
                assertTrue(s.find("podnet_snmp_tcp_in_csum_errors_total", "netns", OLD).isEmpty());
                assertEquals(3, s.value("podnet_snmp_icmpmsg_out_type11_total", "netns", POD), "second IcmpMsg pair");
                assertEquals(2011, s.value("podnet_snmp_icmpmsg_in_type3_total", "netns", POD));
                assertEquals(0, s.value("podnet_snmp_udplite_in_datagrams_total", "netns", host));
                assertEquals(1, s.value("podnet_snmp_icmp_in_csum_errors_total", "netns", POD));
                assertEquals(500, s.value("podnet_snmp_ip_in_receives_total", "netns", BROKEN));
                assertTrue(s.find("podnet_snmp_tcp_active_opens_total", "netns", BROKEN).isEmpty());
                assertTrue(s.find("podnet_snmp_tcp_active_opens_total", "netns", "4026532400").isEmpty());
                assertEquals(8, s.value("podnet_parse_errors_total", "probe", "snmp"));
                assertEquals(0, s.value("podnet_probe_errors_total", "probe", "snmp"));
                assertTrue(s.text().contains("# TYPE podnet_snmp_tcp_curr_estab gauge"), s.text());
                assertTrue(s.text().contains("# TYPE podnet_snmp_tcp_retrans_segs_total counter"));
                assertTrue(s.text().contains("# HELP podnet_snmp_tcp_retrans_segs_total Kernel MIB counter Tcp RetransSegs from /proc/net/snmp"));
            }
        }
    }
}
