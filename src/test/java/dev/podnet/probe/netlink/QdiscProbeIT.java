package dev.podnet.probe.netlink;

import static dev.podnet.probe.netlink.TcpSummaryProbeIT.netns;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.Sh;
import dev.podnet.testing.TestAgent;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Qdiscs set up with tc in a namespace, real UDP traffic through them, and the qdisc probe's numbers
 * compared with what {@code tc -s -j qdisc show} reports inside that namespace.
 */
class QdiscProbeIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** tc's JSON field -> podnet's metric. */
    private static final Map<String, String> FIELDS = Map.of(
            "bytes", "podnet_qdisc_bytes_total",
            "packets", "podnet_qdisc_packets_total",
            "drops", "podnet_qdisc_drops_total",
            "requeues", "podnet_qdisc_requeues_total",
            "overlimits", "podnet_qdisc_overlimits_total",
            "qlen", "podnet_qdisc_qlen",
            "backlog", "podnet_qdisc_backlog_bytes");

    @BeforeAll
    static void root() {
        NetnsLab.assumeKernelLab();
        org.junit.jupiter.api.Assumptions.assumeTrue(Sh.available("tc"), "needs tc (iproute2)");
    }

    @Test
    void countersMatchTcExactlyOnceTrafficStops() throws Exception {
        try (NetnsLab lab = new NetnsLab(); TestAgent agent = TestAgent.start("probes: [qdisc]\n")) {
            String a = lab.add("qa");
            String b = lab.add("qb");
            lab.veth(a, "10.241.4.1/24", b, "10.241.4.2/24");
            String dev = lab.lastVeth()[0];
            // A slow token bucket with a short fifo behind it: a burst of 300 datagrams must overflow it.
            tc(lab, a, "add", "dev", dev, "root", "handle", "1:", "tbf", "rate", "8mbit", "burst", "16kb", "limit", "30kb");
            tc(lab, a, "add", "dev", dev, "parent", "1:1", "handle", "10:", "pfifo", "limit", "20");
            tc(lab, a, "add", "dev", dev, "ingress");
            tc(lab, a, "add", "dev", "lo", "root", "handle", "2:", "htb");

            lab.inNetns(a, () -> {
                try (DatagramChannel udp = DatagramChannel.open(StandardProtocolFamily.INET)) {
                    for (int i = 0; i < 300; i++) {
                        udp.send(ByteBuffer.allocate(1000), new InetSocketAddress("10.241.4.2", 9));
                    }
                    for (int i = 0; i < 50; i++) {
                        udp.send(ByteBuffer.allocate(200), new InetSocketAddress("127.0.0.1", 9));
                    }
                }
                return null;
            });

            String id = netns(lab, a);
            Scrape s = null;
            List<JsonNode> tc = null;
            for (int attempt = 0; attempt < 50; attempt++) {
                List<JsonNode> before = tcStats(lab, a);
                s = agent.scrape();
                List<JsonNode> after = tcStats(lab, a);
                tc = after;
                if (before.equals(after) && after.stream().allMatch(q -> q.get("qlen").asLong() == 0)) {
                    break; // traffic has stopped and the queues are drained: both views must agree exactly
                }
                Thread.sleep(100);
            }

            assertEquals(4, tc.size(), "tbf, pfifo, ingress and htb (noqueue left out): " + tc);
            for (JsonNode q : tc) {
                String parent = q.path("root").asBoolean() ? "root" : q.get("parent").asText();
                String[] labels = {"netns", id, "device", q.get("dev").asText(), "kind", q.get("kind").asText(),
                        "handle", q.get("handle").asText(), "parent", parent};
                for (Map.Entry<String, String> field : FIELDS.entrySet()) {
                    assertEquals(q.get(field.getKey()).asLong(), s.value(field.getValue(), labels),
                            field.getValue() + " " + List.of(labels));
                }
            }

            String[] tbf = {"netns", id, "device", dev, "kind", "tbf", "handle", "1:", "parent", "root"};
            double sent = s.value("podnet_qdisc_packets_total", tbf);
            double dropped = s.value("podnet_qdisc_drops_total", tbf);
            assertTrue(dropped > 0, "the burst overflowed the fifo");
            assertTrue(sent + dropped >= 300, "every datagram was sent or dropped: " + sent + " + " + dropped);
            assertTrue(s.value("podnet_qdisc_bytes_total", tbf) >= 16 * 1024 + 20 * 1000,
                    "at least the 16 KiB burst and the fifo's 20 datagrams went out");
            assertEquals(1, s.find("podnet_qdisc_packets_total", "netns", id, "parent", "1:1", "kind", "pfifo").size());
            assertTrue(s.value("podnet_qdisc_packets_total", "netns", id, "device", "lo", "kind", "htb") >= 50);
            assertEquals(1, s.find("podnet_qdisc_packets_total", "netns", id, "kind", "ingress", "handle", "ffff:",
                    "parent", "ffff:fff1").size());
            assertTrue(s.find("podnet_qdisc_packets_total", "netns", netns(lab, b)).isEmpty(),
                    "the peer has only noqueue qdiscs, which are not reported");
        }
    }

    /** A qdisc change inside {@code ns}; skips the test when this kernel lacks the qdisc. */
    private static void tc(NetnsLab lab, String ns, String... args) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns, "tc", "qdisc"));
        cmd.addAll(List.of(args));
        Sh.Result r = Sh.tryRun(cmd);
        org.junit.jupiter.api.Assumptions.assumeFalse(r.out().contains("kind is unknown"),
                "kernel lacks a qdisc this test needs: " + cmd);
        assertEquals(0, r.exit(), cmd + ": " + r.out());
    }

    private static List<JsonNode> tcStats(NetnsLab lab, String ns) throws Exception {
        List<JsonNode> qdiscs = new ArrayList<>();
        for (JsonNode q : JSON.readTree(lab.exec(ns, "tc", "-s", "-j", "qdisc", "show"))) {
            if (!q.get("kind").asText().equals("noqueue")) {
                qdiscs.add(q);
            }
        }
        return qdiscs;
    }
}
