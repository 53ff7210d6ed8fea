package dev.podnet.probe.procfs;

import static dev.podnet.testing.FakeProcfs.HOST_INODE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.testing.FakeProcfs;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.TestAgent;
import org.junit.jupiter.api.Test;

class Snmp6ProbeTest {
    private static final String ALL_FIELDS = "probeSettings: {snmp6: {fields: \".*\"}}\n";
    private static final String OLD = "4026532200";
    private static final String NO_IPV6 = "4026532210";
    private static final String BROKEN = "4026532300";

    @Test
    void ipv6CountersPerNamespace() throws Exception {
        try (FakeProcfs proc = new FakeProcfs()) {
            proc.pid(1, HOST_INODE);
            proc.fixture("6.18/net/snmp6", "1/net/snmp6");
            proc.pid(200, Long.parseLong(OLD));
            proc.fixture("3.2/net/snmp6", "200/net/snmp6");
            proc.pid(210, Long.parseLong(NO_IPV6));
            proc.pid(300, Long.parseLong(BROKEN));
            proc.fixture("malformed/net/snmp6", "300/net/snmp6");

            try (TestAgent agent = TestAgent.start(proc.yaml("snmp6") + ALL_FIELDS)) {
                Scrape s = agent.scrape();
                String host = Long.toString(HOST_INODE);
                assertEquals(4, s.value("podnet_snmp6_ip6_in_receives_total", "netns", host));
                assertEquals(88211, s.value("podnet_snmp6_ip6_in_receives_total", "netns", OLD));
                assertEquals(10, s.value("podnet_snmp6_ip6_out_transmits_total", "netns", host));
                assertTrue(s.find("podnet_snmp6_ip6_out_transmits_total", "netns", OLD).isEmpty());
                assertEquals(4, s.value("podnet_snmp6_icmp6_out_type135_total", "netns", host));
                assertEquals(156, s.value("podnet_snmp6_icmp6_in_neighbor_advertisements_total", "netns", OLD));
                assertEquals(3, s.value("podnet_snmp6_udp6_no_ports_total", "netns", OLD));
                assertEquals(0, s.value("podnet_snmp6_udplite6_mem_errors_total", "netns", host));
                assertEquals(90, s.all().stream().filter(x -> x.name().startsWith("podnet_snmp6_")
                        && x.label("netns").equals(host)).count());
                assertTrue(s.all().stream().noneMatch(x -> x.label("netns").equals(NO_IPV6)
                        && x.name().startsWith("podnet_snmp6_")), "IPv6 disabled: no file, no series");
                assertEquals(42, s.value("podnet_snmp6_ip6_in_receives_total", "netns", BROKEN));
                assertEquals(3, s.value("podnet_parse_errors_total", "probe", "snmp6"));
                assertEquals(0, s.value("podnet_probe_errors_total", "probe", "snmp6"));
                assertTrue(s.text().contains("# HELP podnet_snmp6_ip6_in_receives_total Kernel MIB counter Ip6InReceives from /proc/net/snmp6"));
            }
        }
    }
}
