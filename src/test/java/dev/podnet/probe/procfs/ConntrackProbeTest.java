package dev.podnet.probe.procfs;

import static dev.podnet.testing.FakeProcfs.HOST_INODE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.testing.FakeProcfs;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.TestAgent;
import org.junit.jupiter.api.Test;

class ConntrackProbeTest {
    private static final String POD = "4026532100";
    private static final String NO_CONNTRACK = "4026532200";
    private static final String BROKEN = "4026532300";

    @Test
    void statsPerNamespaceAndHostSysctlsNodeWide() throws Exception {
        try (FakeProcfs proc = new FakeProcfs()) {
            proc.pid(1, HOST_INODE);
            proc.fixture("6.18/net/stat/nf_conntrack", "1/net/stat/nf_conntrack");
            proc.pid(100, Long.parseLong(POD));
            proc.fixture("4.19/net/stat/nf_conntrack", "100/net/stat/nf_conntrack");
            proc.pid(200, Long.parseLong(NO_CONNTRACK));
            proc.pid(300, Long.parseLong(BROKEN));
            proc.fixture("malformed/net/stat/nf_conntrack", "300/net/stat/nf_conntrack");
            proc.link("thread-self/ns/net", "net:[" + HOST_INODE + "]"); // podnet runs in the host namespace
            proc.write("sys/net/netfilter/nf_conntrack_count", "7\n");
            proc.write("sys/net/netfilter/nf_conntrack_max", "262144\n");

            try (TestAgent agent = TestAgent.start(proc.yaml("conntrack"))) {
                Scrape s = agent.scrape();
                String host = Long.toString(HOST_INODE);
                assertEquals(1, s.value("podnet_conntrack_stat_entries", "netns", host), "taken once, not per CPU");
                assertEquals(1000, s.value("podnet_conntrack_stat_entries", "netns", POD));
                assertTrue(s.find("podnet_conntrack_stat_found_total").isEmpty(), "found is not a default column");
                assertEquals(3, s.value("podnet_conntrack_stat_insert_failed_total", "netns", POD));
                assertEquals(1, s.value("podnet_conntrack_stat_early_drop_total", "netns", POD));
                assertEquals(0, s.value("podnet_conntrack_stat_clashres_total", "netns", host));
                assertEquals(0, s.value("podnet_conntrack_stat_chainlength_total", "netns", host));
                assertTrue(s.find("podnet_conntrack_stat_clashres_total", "netns", POD).isEmpty(), "4.19 has no clashres");
                assertTrue(s.all().stream().noneMatch(x -> x.label("netns").equals(NO_CONNTRACK)
                        && x.name().startsWith("podnet_conntrack")), "module not loaded there: no series");
                assertEquals(0x44, s.value("podnet_conntrack_stat_drop_total", "netns", BROKEN));

                assertEquals(7, s.value("podnet_conntrack_host_entries"));
                assertEquals(262144, s.value("podnet_conntrack_max"));
                assertEquals("", s.find("podnet_conntrack_max").getFirst().label("netns"));
                assertEquals(2, s.value("podnet_parse_errors_total", "probe", "conntrack"));
                assertEquals(0, s.value("podnet_probe_errors_total", "probe", "conntrack"));
            }
        }
    }

    @Test
    void fieldsSelectsOtherColumnsAndEveryOneWithDotStar() throws Exception {
        try (FakeProcfs proc = new FakeProcfs()) {
            proc.pid(1, HOST_INODE);
            proc.fixture("6.18/net/stat/nf_conntrack", "1/net/stat/nf_conntrack");
            proc.pid(100, Long.parseLong(POD));
            proc.fixture("4.19/net/stat/nf_conntrack", "100/net/stat/nf_conntrack");
            String host = Long.toString(HOST_INODE);
            try (TestAgent agent = TestAgent.start(proc.yaml("conntrack"))) {
                Scrape s = agent.scrape();
                assertEquals(9, perNamespace(s, host), "the default columns of 6.18");
                assertEquals(7, perNamespace(s, POD), "4.19 has neither clashres nor chainlength");

                agent.rewriteConfig(proc.yaml("conntrack") + "probeSettings: {conntrack: {fields: \".*\"}}\n");
                Scrape all = agent.scrape();
                assertEquals(17, perNamespace(all, host), "every column of 6.18");
                assertEquals(17, perNamespace(all, POD), "every column of 4.19");
                assertEquals(0xa12 + 0x931 + 0x10 + 0x100, all.value("podnet_conntrack_stat_found_total", "netns", POD));
                assertEquals(0, all.value("podnet_conntrack_stat_delete_list_total", "netns", POD));

                agent.rewriteConfig(proc.yaml("conntrack") + "probeSettings: {conntrack: {fields: \"found|entries\"}}\n");
                Scrape two = agent.scrape();
                assertEquals(2, perNamespace(two, POD));
                assertEquals(1000, two.value("podnet_conntrack_stat_entries", "netns", POD));
            }
        }
    }

    private static long perNamespace(Scrape s, String netns) {
        return s.all().stream().filter(x -> x.name().startsWith("podnet_conntrack_stat_") && x.label("netns").equals(netns))
                .count();
    }

    @Test
    void sysctlsAreNotTakenFromAnotherNamespaceThanTheHosts() throws Exception {
        try (FakeProcfs proc = new FakeProcfs()) {
            proc.pid(1, HOST_INODE);
            proc.fixture("6.18/net/stat/nf_conntrack", "1/net/stat/nf_conntrack");
            // podnet runs in a pod's namespace: the sysctl files show that namespace, not the host's
            proc.link("thread-self/ns/net", "net:[4026532999]");
            proc.write("sys/net/netfilter/nf_conntrack_count", "3\n");
            proc.write("sys/net/netfilter/nf_conntrack_max", "65536\n");

            try (TestAgent agent = TestAgent.start(proc.yaml("conntrack"))) {
                Scrape s = agent.scrape();
                // entering the fake host namespace cannot work, so the node-wide part fails visibly...
                assertTrue(s.find("podnet_conntrack_host_entries").isEmpty());
                assertTrue(s.find("podnet_conntrack_max").isEmpty());
                assertEquals(1, s.value("podnet_probe_errors_total", "probe", "conntrack"));
                // ...and the per-namespace part is unaffected
                assertEquals(1, s.value("podnet_conntrack_stat_entries", "netns", Long.toString(HOST_INODE)));
            }
        }
    }
}
