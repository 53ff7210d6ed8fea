package dev.podnet.probe.procfs;

import static dev.podnet.testing.FakeProcfs.HOST_INODE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.testing.FakeProcfs;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.TestAgent;
import org.junit.jupiter.api.Test;

class NetstatProbeTest {
    private static final String ALL_FIELDS = "probeSettings: {netstat: {fields: \".*\"}}\n";
    private static final String OLD = "4026532200";
    private static final String MID = "4026532250";
    private static final String BROKEN = "4026532300";

    @Test
    void tcpExtIpExtAndMptcpExtWherePresent() throws Exception {
        try (FakeProcfs proc = new FakeProcfs()) {
            proc.pid(1, HOST_INODE);
            proc.fixture("6.18/net/netstat", "1/net/netstat");
            proc.pid(200, Long.parseLong(OLD));
            proc.fixture("3.2/net/netstat", "200/net/netstat");
            proc.pid(250, Long.parseLong(MID));
            proc.fixture("4.19/net/netstat", "250/net/netstat");
            proc.pid(300, Long.parseLong(BROKEN));
            proc.fixture("malformed/net/netstat", "300/net/netstat");

            try (TestAgent agent = TestAgent.start(proc.yaml("netstat") + ALL_FIELDS)) {
                Scrape s = agent.scrape();
                String host = Long.toString(HOST_INODE);
                assertEquals(0, s.value("podnet_netstat_tcpext_listen_overflows_total", "netns", host));
                assertEquals(7, s.value("podnet_netstat_tcpext_listen_overflows_total", "netns", OLD));
                assertEquals(1402, s.value("podnet_netstat_tcpext_listen_overflows_total", "netns", MID));
                assertEquals(292, s.value("podnet_netstat_tcpext_tw_total", "netns", host));
                assertEquals(2, s.value("podnet_netstat_tcpext_tcp_timeouts_total", "netns", host));
                assertEquals(118801849, s.value("podnet_netstat_ipext_in_octets_total", "netns", host));
                assertEquals(902233445566d, s.value("podnet_netstat_ipext_in_octets_total", "netns", MID));
                assertEquals(1120, s.value("podnet_netstat_tcpext_tcp_prequeued_total", "netns", OLD));
                assertEquals(0, s.value("podnet_netstat_mptcpext_mp_capable_synrx_total", "netns", host));
                assertEquals(0, s.value("podnet_netstat_mptcpext_mp_curr_estab", "netns", host));
                assertEquals(0, s.value("podnet_netstat_mptcpext_mp_join_ack_hmac_failure_total", "netns", host));
                assertTrue(s.find("podnet_netstat_mptcpext_mp_capable_synrx_total", "netns", OLD).isEmpty(), "no MPTCP on 3.2");
                assertEquals(2000, s.value("podnet_netstat_ipext_out_octets_total", "netns", BROKEN));
                assertEquals(3, s.value("podnet_parse_errors_total", "probe", "netstat"));
                assertTrue(s.text().contains("# TYPE podnet_netstat_mptcpext_mp_curr_estab gauge"));
                // every TcpExt field of this kernel, one series each
                assertEquals(135, s.all().stream().filter(x -> x.name().startsWith("podnet_netstat_tcpext_")
                        && x.label("netns").equals(host)).count());
            }
        }
    }
}
