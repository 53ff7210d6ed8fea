package dev.podnet.traffic;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.TestAgent;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import org.junit.jupiter.api.Test;

/**
 * With internalNetworks narrowed to one of two subnets on a veth pair, only the traffic to the other
 * counts as internet-bound, on both ends; after a reload that adds it, nothing does.
 */
class InternetTrafficIT {
    private static final int PAYLOAD = 100;
    /** Ethernet 14 + IPv4 20 + UDP 8 + payload: bytes as the device counts them. */
    private static final int FRAME = 14 + 20 + 8 + PAYLOAD;

    @Test
    void onlyTrafficOutsideInternalNetworksIsInternet() throws Exception {
        TrafficLab.assumeTrafficLab();
        try (NetnsLab lab = new NetnsLab();
             TestAgent agent = TestAgent.start("probes: [traffic]\ninternalNetworks: [10.220.0.0/24]\n")) {
            String a = TrafficLab.quietNamespace(lab, "a");
            String b = TrafficLab.quietNamespace(lab, "b");
            lab.veth(a, "10.220.0.1/24", b, "10.220.0.2/24");
            String[] veth = lab.lastVeth();
            lab.exec(a, "ip", "addr", "add", "10.221.0.1/24", "dev", veth[0]);
            lab.exec(b, "ip", "addr", "add", "10.221.0.2/24", "dev", veth[1]);
            String netnsA = TrafficLab.netns(lab, a);
            String netnsB = TrafficLab.netns(lab, b);
            TrafficLab.awaitAttached(agent, 2);

            try (DatagramChannel receiver = lab.inNetns(b, () -> DatagramChannel.open().bind(new InetSocketAddress(9999)));
                 DatagramChannel sender = lab.inNetns(a, DatagramChannel::open)) {
                send(sender, "10.220.0.2", 3); // resolves ARP before the counted part
                send(sender, "10.221.0.2", 1);
                TrafficLab.awaitQuiet(lab, new String[] {a, b}, veth);
                Scrape before = agent.scrape();
                send(sender, "10.221.0.2", 40);
                send(sender, "10.220.0.2", 30);
                TrafficLab.awaitQuiet(lab, new String[] {a, b}, veth);
                Scrape after = agent.scrape();
                assertEquals(40, delta(before, after, "podnet_traffic_internet_packets_total", netnsA, "transmit"));
                assertEquals(40 * FRAME, delta(before, after, "podnet_traffic_internet_bytes_total", netnsA, "transmit"));
                assertEquals(40, delta(before, after, "podnet_traffic_internet_packets_total", netnsB, "receive"));
                assertEquals(0, delta(before, after, "podnet_traffic_internet_packets_total", netnsA, "receive"));
                assertEquals(70, delta(before, after, "podnet_traffic_packets_total", netnsA, "transmit"),
                        "every datagram is traffic, internal or not");

                agent.rewriteConfig("probes: [traffic]\ninternalNetworks: [10.220.0.0/24, 10.221.0.0/16]\n");
                Scrape reloaded = TrafficLab.awaitScrape(agent,
                        s -> s.sum("podnet_config_reloads_total", "result", "success") >= 1, "the reload");
                Thread.sleep(100);
                reloaded = agent.scrape(); // a collection after the reload has synced the kernel's trie
                send(sender, "10.221.0.2", 25);
                TrafficLab.awaitQuiet(lab, new String[] {a, b}, veth);
                Scrape last = agent.scrape();
                assertEquals(0, delta(reloaded, last, "podnet_traffic_internet_packets_total", netnsA, "transmit"));
                assertEquals(25, delta(reloaded, last, "podnet_traffic_packets_total", netnsA, "transmit"));
                receiver.configureBlocking(false);
            }
        }
    }

    private static void send(DatagramChannel sender, String to, int count) throws Exception {
        for (int i = 0; i < count; i++) {
            sender.send(ByteBuffer.allocate(PAYLOAD), new InetSocketAddress(to, 9999));
        }
    }

    private static double delta(Scrape before, Scrape after, String metric, String netns, String direction) {
        return after.sum(metric, "netns", netns, "direction", direction) - before.sum(metric, "netns", netns, "direction", direction);
    }
}
