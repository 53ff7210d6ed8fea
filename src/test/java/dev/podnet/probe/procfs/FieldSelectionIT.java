package dev.podnet.probe.procfs;

import static dev.podnet.testing.FakeProcfs.HOST_INODE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.config.ConfigException;
import dev.podnet.config.ConfigLoader;
import dev.podnet.probe.ProbeCatalog;
import dev.podnet.testing.FakeProcfs;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.TestAgent;
import org.junit.jupiter.api.Test;

/**
 * The MIB probes' default field selection, {@code probeSettings.<probe>.fields}, and what a reload does
 * with it: a new selection applies without restart, a bad expression is refused with its setting named.
 */
class FieldSelectionIT {
    private static final String HOST = Long.toString(HOST_INODE);

    private static FakeProcfs kernel618() throws Exception {
        FakeProcfs proc = new FakeProcfs();
        proc.pid(1, HOST_INODE);
        proc.fixture("6.18/net/snmp", "1/net/snmp");
        proc.fixture("6.18/net/snmp6", "1/net/snmp6");
        proc.fixture("6.18/net/netstat", "1/net/netstat");
        return proc;
    }

    private static long series(Scrape s, String prefix) {
        return s.all().stream().filter(x -> x.name().startsWith(prefix) && HOST.equals(x.label("netns"))).count();
    }

    @Test
    void defaultsKeepTheFieldsThatTellOfTroubleAndLeaveTheRest() throws Exception {
        try (FakeProcfs proc = kernel618(); TestAgent agent = TestAgent.start(proc.yaml("snmp", "snmp6", "netstat"))) {
            Scrape s = agent.scrape();
            // kept: what the dashboards use, and the totals and errors of each protocol
            assertEquals(0, s.value("podnet_netstat_tcpext_listen_overflows_total", "netns", HOST));
            assertEquals(2, s.value("podnet_netstat_tcpext_tcp_timeouts_total", "netns", HOST));
            assertEquals(0, s.value("podnet_netstat_mptcpext_mp_curr_estab", "netns", HOST));
            assertEquals(323, s.value("podnet_snmp_tcp_active_opens_total", "netns", HOST));
            assertEquals(0, s.value("podnet_snmp_tcp_curr_estab", "netns", HOST), "a gauge, kept");
            assertEquals(4, s.value("podnet_snmp6_ip6_in_receives_total", "netns", HOST));
            // left out: settings, per-type, octets, UDP-Lite, most of MPTCP, counts of ordinary work
            assertTrue(s.find("podnet_snmp_tcp_max_conn").isEmpty());
            assertTrue(s.find("podnet_snmp_ip_default_ttl").isEmpty());
            assertTrue(s.find("podnet_netstat_ipext_in_octets_total").isEmpty());
            assertTrue(s.find("podnet_netstat_tcpext_delayed_ac_ks_total").isEmpty());
            assertTrue(s.find("podnet_netstat_mptcpext_mp_join_ack_hmac_failure_total").isEmpty());
            assertTrue(s.find("podnet_snmp_udplite_in_datagrams_total").isEmpty());
            assertTrue(s.find("podnet_snmp6_icmp6_out_type135_total").isEmpty());
            assertTrue(s.find("podnet_snmp_icmp_in_echos_total").isEmpty());
            // of this kernel's 135 TcpExt, 18 IpExt, 76 MPTcpExt, 90 snmp6 and 83 snmp fields
            assertEquals(25, series(s, "podnet_netstat_"), "netstat series");
            assertEquals(22, series(s, "podnet_snmp6_"), "snmp6 series");
            assertEquals(32, series(s, "podnet_snmp_"), "snmp series");
        }
    }

    @Test
    void everyFieldIsOneSettingAway() throws Exception {
        String all = "probeSettings: {snmp: {fields: \".*\"}, snmp6: {fields: \".*\"}, netstat: {fields: \".*\"}}\n";
        try (FakeProcfs proc = kernel618(); TestAgent agent = TestAgent.start(proc.yaml("snmp", "snmp6", "netstat") + all)) {
            Scrape s = agent.scrape();
            assertEquals(-1, s.value("podnet_snmp_tcp_max_conn", "netns", HOST));
            assertEquals(118801849, s.value("podnet_netstat_ipext_in_octets_total", "netns", HOST));
            assertEquals(135 + 18 + 76, series(s, "podnet_netstat_"), "netstat series");
            assertEquals(90, series(s, "podnet_snmp6_"), "snmp6 series");
            assertEquals(83, series(s, "podnet_snmp_"), "snmp series");
        }
    }

    @Test
    void aReloadedSelectionAppliesAndABadOneIsRefused() throws Exception {
        try (FakeProcfs proc = kernel618(); TestAgent agent = TestAgent.start(proc.yaml("netstat"))) {
            assertTrue(agent.scrape().find("podnet_netstat_tcpext_tcp_hp_hits_total").isEmpty());

            agent.rewriteConfig(proc.yaml("netstat") + "probeSettings: {netstat: {fields: \"TcpExt_TCPHPHits|IpExt_.*\"}}\n");
            Scrape narrowed = agent.scrape();
            assertEquals(1, narrowed.value("podnet_config_reloads_total", "result", "success"));
            assertEquals(1, series(narrowed, "podnet_netstat_tcpext_"), "only TCPHPHits of TcpExt");
            assertEquals(18, series(narrowed, "podnet_netstat_ipext_"), "every IpExt field of 6.18");

            agent.rewriteConfig(proc.yaml("netstat") + "probeSettings: {netstat: {fields: \"TcpExt_(\"}}\n");
            Scrape refused = agent.scrape();
            assertEquals(1, refused.value("podnet_config_reloads_total", "result", "failure"));
            assertEquals(1, series(refused, "podnet_netstat_tcpext_"), "the last good selection stays");
            String status = agent.get("/status");
            assertTrue(status.contains("probeSettings.netstat.fields"), status);
        }
    }

    @Test
    void badSettingsAreRefusedWhenTheConfigIsLoaded() {
        ProbeCatalog catalog = ProbeCatalog.standard();
        ConfigLoader loader = new ConfigLoader(catalog.names(), catalog.defaultNames(), catalog::checkSettings);
        assertMessage(loader, "probeSettings: {snmp: {fields: \"[\"}}", "probeSettings.snmp.fields: \"[\" is not a regular expression");
        assertMessage(loader, "probeSettings: {snmp6: {fields: 7}}", "probeSettings.snmp6.fields: expected a regular expression");
        assertMessage(loader, "probeSettings: {netstat: {field: \".*\"}}", "probeSettings.netstat.field: unknown setting");
        assertMessage(loader, "probeSettings: {netdev: {fields: \"(\"}}", "probeSettings.netdev.fields: \"(\" is not a regular expression");
        assertMessage(loader, "probeSettings: {fd: {fields: \".*\"}}", "probeSettings.fd: this probe has no settings");
        assertMessage(loader, "probeSettings: {netstat: {fields: }}", "probeSettings.netstat.fields: has no value");
        assertMessage(loader, "probeSettings: {tcpretrans: {tracepoint: 3, colour: red}}", "probeSettings.tcpretrans.");
    }

    private static void assertMessage(ConfigLoader loader, String yaml, String expected) {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.parse(yaml), yaml);
        assertTrue(e.getMessage().contains(expected), "for " + yaml + ": " + e.getMessage());
    }
}
