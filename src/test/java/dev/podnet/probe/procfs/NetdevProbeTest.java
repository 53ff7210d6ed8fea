package dev.podnet.probe.procfs;

import static dev.podnet.testing.FakeProcfs.HOST_INODE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.procfs.NetDevParser;
import dev.podnet.testing.FakeProcfs;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.TestAgent;
import java.util.List;
import org.junit.jupiter.api.Test;

/** netdev's default columns, and every column of net/dev on request. */
class NetdevProbeTest {
    private static final String HOST = Long.toString(HOST_INODE);
    /** Each column of eth0 a different number: column i (0-based) holds 1000 + i. */
    private static final String NET_DEV = """
            Inter-|   Receive                                                |  Transmit
             face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed
                lo:     500       5    0    0    0     0          0         0      500       5    0    0    0     0       0          0
              eth0: 1000 1001 1002 1003 1004 1005 1006 1007 1008 1009 1010 1011 1012 1013 1014 1015
            """;

    private static FakeProcfs procfs() throws Exception {
        FakeProcfs proc = new FakeProcfs();
        proc.pid(1, HOST_INODE);
        proc.write("1/net/dev", NET_DEV);
        return proc;
    }

    private static List<String> eth0Metrics(Scrape s) {
        return s.all().stream().filter(x -> x.name().startsWith("podnet_netdev_") && x.label("device").equals("eth0")
                && x.label("netns").equals(HOST)).map(Scrape.Series::name).sorted().toList();
    }

    @Test
    void byDefaultBytesPacketsErrorsAndDropsInEachDirection() throws Exception {
        try (FakeProcfs proc = procfs(); TestAgent agent = TestAgent.start(proc.yaml("netdev"))) {
            Scrape s = agent.scrape();
            assertEquals(List.of("podnet_netdev_receive_bytes_total", "podnet_netdev_receive_drop_total",
                    "podnet_netdev_receive_errs_total", "podnet_netdev_receive_packets_total",
                    "podnet_netdev_transmit_bytes_total", "podnet_netdev_transmit_drop_total",
                    "podnet_netdev_transmit_errs_total", "podnet_netdev_transmit_packets_total"), eth0Metrics(s));
            assertEquals(1000, s.value("podnet_netdev_receive_bytes_total", "netns", HOST, "device", "eth0"));
            assertEquals(1003, s.value("podnet_netdev_receive_drop_total", "netns", HOST, "device", "eth0"));
            assertEquals(1008, s.value("podnet_netdev_transmit_bytes_total", "netns", HOST, "device", "eth0"));
            assertEquals(1011, s.value("podnet_netdev_transmit_drop_total", "netns", HOST, "device", "eth0"));
            assertEquals(5, s.value("podnet_netdev_transmit_packets_total", "netns", HOST, "device", "lo"));
            assertEquals(16, s.all().stream().filter(x -> x.name().startsWith("podnet_netdev_")).count(),
                    "8 columns of 2 devices");
        }
    }

    @Test
    void fieldsSelectsOtherColumnsAndEveryOneWithDotStar() throws Exception {
        try (FakeProcfs proc = procfs();
             TestAgent agent = TestAgent.start(proc.yaml("netdev") + "probeSettings: {netdev: {fields: \".*\"}}\n")) {
            Scrape s = agent.scrape();
            assertEquals(NetDevParser.COLUMNS.size(), eth0Metrics(s).size(), "every column: " + eth0Metrics(s));
            for (int i = 0; i < NetDevParser.COLUMNS.size(); i++) {
                assertEquals(1000 + i, s.value("podnet_netdev_" + NetDevParser.COLUMNS.get(i) + "_total", "netns", HOST,
                        "device", "eth0"), NetDevParser.COLUMNS.get(i));
            }

            agent.rewriteConfig(proc.yaml("netdev") + "probeSettings: {netdev: {fields: \"transmit_(colls|carrier)\"}}\n");
            Scrape narrowed = agent.scrape();
            assertEquals(List.of("podnet_netdev_transmit_carrier_total", "podnet_netdev_transmit_colls_total"),
                    eth0Metrics(narrowed));
            assertEquals(1013, narrowed.value("podnet_netdev_transmit_colls_total", "netns", HOST, "device", "eth0"));
            assertTrue(narrowed.find("podnet_netdev_receive_bytes_total").isEmpty());
        }
    }
}
