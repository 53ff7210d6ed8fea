package dev.podnet.traffic;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.TestAgent;
import org.junit.jupiter.api.Test;

/**
 * The traffic probe's bytes and packets are the pod's own device counters: after real TCP (iperf3) and
 * UDP traffic between two namespaces on a veth pair, the change of podnet_traffic_* of each namespace
 * (summed over family and protocol) is the change of its device's net/dev counters, within 1 %.
 */
class TrafficCountsIT {
    private static final int UDP_DATAGRAMS = 200;

    @Test
    void ipv4BytesAndPacketsAreEachDevicesOwnNetDevCounters() throws Exception {
        TrafficLab.assumeTrafficLab();
        try (NetnsLab lab = new NetnsLab(); TestAgent agent = TestAgent.start("probes: [traffic]\n")) {
            String a = TrafficLab.quietNamespace(lab, "a");
            String b = TrafficLab.quietNamespace(lab, "b");
            lab.veth(a, "10.215.0.1/24", b, "10.215.0.2/24");
            exchangeAndCompare(lab, agent, a, b, "10.215.0.2", "ipv4");
        }
    }

    @Test
    void ipv6BytesAndPacketsAreEachDevicesOwnNetDevCounters() throws Exception {
        TrafficLab.assumeTrafficLab();
        try (NetnsLab lab = new NetnsLab(); TestAgent agent = TestAgent.start("probes: [traffic]\n")) {
            String a = lab.add("a6");
            String b = lab.add("b6");
            for (String ns : new String[] {a, b}) {
                // No router solicitations: only the test's traffic (and its neighbour discovery) moves the counters.
                lab.exec(ns, "sysctl", "-qw", "net.ipv6.conf.default.router_solicitations=0",
                        "net.ipv6.conf.all.router_solicitations=0");
            }
            lab.veth(a, "fd00:215::1/64", b, "fd00:215::2/64");
            String[] veth = lab.lastVeth();
            lab.exec(a, "ip", "-6", "addr", "change", "fd00:215::1/64", "dev", veth[0], "nodad");
            lab.exec(b, "ip", "-6", "addr", "change", "fd00:215::2/64", "dev", veth[1], "nodad");
            exchangeAndCompare(lab, agent, a, b, "fd00:215::2", "ipv6");
        }
    }

    private static void exchangeAndCompare(NetnsLab lab, TestAgent agent, String client, String server, String serverIp,
                                           String family) throws Exception {
        String[] veth = lab.lastVeth();
        String clientNetns = TrafficLab.netns(lab, client);
        String serverNetns = TrafficLab.netns(lab, server);
        Scrape before = TrafficLab.awaitAttached(agent, 2);
        Thread.sleep(1500); // let the link's own first packets (DAD, multicast reports) pass
        before = agent.scrape();
        long[] clientBefore = TrafficLab.netDev(lab, client, veth[0]);
        long[] serverBefore = TrafficLab.netDev(lab, server, veth[1]);

        lab.spawn(server, "iperf3", "-s", "-1", "-p", "5301");
        Thread.sleep(300);
        lab.exec(client, "iperf3", "-c", serverIp, "-p", "5301", "-t", "2", "--connect-timeout", "3000");
        lab.spawn(server, "iperf3", "-s", "-1", "-p", "5302");
        Thread.sleep(300);
        lab.exec(client, "iperf3", "-c", serverIp, "-p", "5302", "-u", "-b", "1M", "-l", "500",
                "-k", Integer.toString(UDP_DATAGRAMS), "--connect-timeout", "3000");
        Thread.sleep(500);

        Scrape after = agent.scrape();
        long[] clientAfter = TrafficLab.netDev(lab, client, veth[0]);
        long[] serverAfter = TrafficLab.netDev(lab, server, veth[1]);

        for (Object[] side : new Object[][] {{clientNetns, clientBefore, clientAfter}, {serverNetns, serverBefore, serverAfter}}) {
            String netns = (String) side[0];
            long[] netDevBefore = (long[]) side[1];
            long[] netDevAfter = (long[]) side[2];
            String[] directions = {"receive", "transmit"};
            for (int d = 0; d < 2; d++) {
                double bytes = delta(before, after, "podnet_traffic_bytes_total", netns, directions[d]);
                double packets = delta(before, after, "podnet_traffic_packets_total", netns, directions[d]);
                long devBytes = netDevAfter[2 * d] - netDevBefore[2 * d];
                long devPackets = netDevAfter[2 * d + 1] - netDevBefore[2 * d + 1];
                assertWithinOnePercent(devBytes, bytes, netns + " " + directions[d] + " bytes");
                assertWithinOnePercent(devPackets, packets, netns + " " + directions[d] + " packets");
            }
        }
        assertTrue(serverAfter[0] - serverBefore[0] > 10_000_000, "the stream reached the server's device");
        double udp = after.sum("podnet_traffic_packets_total", "netns", serverNetns, "direction", "receive",
                "protocol", "udp", "ipfamily", family)
                - before.sum("podnet_traffic_packets_total", "netns", serverNetns, "direction", "receive",
                "protocol", "udp", "ipfamily", family);
        // iperf3's datagrams plus its own UDP control exchange: at least every datagram sent
        assertTrue(udp >= UDP_DATAGRAMS && udp < UDP_DATAGRAMS + 20, "UDP datagrams under protocol=udp: " + udp);
        assertTrue(after.sum("podnet_traffic_packets_total", "netns", serverNetns, "direction", "receive", "protocol", "tcp",
                "ipfamily", family) > 1000, "TCP segments under protocol=tcp, ipfamily=" + family);
        // The size histograms are node-wide by default: every IP packet either end received is in them.
        assertTrue(after.find("podnet_packet_size_bytes_count", "netns", serverNetns).isEmpty(), "no per-pod histograms");
        double ipReceived = 0;
        for (String netns : new String[] {clientNetns, serverNetns}) {
            ipReceived += after.sum("podnet_traffic_packets_total", "netns", netns, "direction", "receive", "ipfamily", family)
                    - before.sum("podnet_traffic_packets_total", "netns", netns, "direction", "receive", "ipfamily", family);
        }
        double observed = after.value("podnet_packet_size_bytes_count", "netns", "", "direction", "receive")
                - before.value("podnet_packet_size_bytes_count", "netns", "", "direction", "receive");
        assertTrue(observed >= ipReceived, "node-wide packet sizes " + observed + " cover both ends' " + ipReceived);
    }

    private static double delta(Scrape before, Scrape after, String metric, String netns, String direction) {
        return after.sum(metric, "netns", netns, "direction", direction)
                - before.sum(metric, "netns", netns, "direction", direction);
    }

    private static void assertWithinOnePercent(long expected, double actual, String what) {
        assertTrue(Math.abs(expected - actual) <= Math.max(2, expected * 0.01),
                what + ": podnet " + (long) actual + ", net/dev " + expected);
    }
}
