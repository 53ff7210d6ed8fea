package dev.podnet.probe.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.NetnsSockets;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.TestAgent;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Transmit latency is attributed to the namespace whose device sent the packets, both phases: every
 * packet with {@code sampleEvery: 1}, on a device without a qdisc (veth's default, a pod's eth0) and on
 * one whose qdisc holds packets back (a token bucket), where packets wait and may leave from another
 * CPU; about one packet in N with {@code sampleEvery: N}, the default being sampled. Per namespace with
 * {@code perPodHistograms: true}; by default one histogram per phase for the whole node.
 */
class NetifTxProbeIT {
    private static final int DATAGRAMS = 500;
    private static final String EVERY_PACKET = """
            probes: [netiftx]
            probeDeadline: 60s
            probeSettings:
              netiftx: {sampleEvery: 1, window: none, perPodHistograms: true}
            """;

    @BeforeAll
    static void root() {
        NetnsLab.assumeKernelLab();
        BpfLab.assumeBpf();
    }

    @Test
    void everyDatagramSentIsObservedInBothPhasesOfTheSendersNamespace() throws Exception {
        try (NetnsLab lab = new NetnsLab();
             TestAgent agent = TestAgent.start(EVERY_PACKET)) {
            String sender = lab.add("snd");
            String receiver = lab.add("rcv");
            lab.veth(sender, "10.242.1.1/24", receiver, "10.242.1.2/24");
            InetSocketAddress to = new InetSocketAddress("10.242.1.2", 7100);
            try (DatagramChannel in = lab.inNetns(receiver, () -> DatagramChannel.open().bind(to));
                 DatagramChannel out = lab.inNetns(sender, DatagramChannel::open)) {
                ByteBuffer payload = ByteBuffer.allocate(200);
                out.send(payload.clear(), to); // resolves ARP, whose queue would drop a burst
                assertEquals(1, NetnsSockets.receive(in, 1), "the first datagram crossed the veth");
                for (int i = 0; i < DATAGRAMS; i++) {
                    out.send(payload.clear(), to);
                }
            }
            Scrape scrape = agent.scrape();
            long[] sent = transmitted(lab, sender, lab.lastVeth()[0]);

            assertEquals(1, scrape.value("podnet_probe_up", "probe", "netiftx"));
            assertEquals(1.0, scrape.value(NetifTxProbe.SAMPLE_RATIO_METRIC), "every packet is observed");
            String senderInode = String.valueOf(lab.inode(sender));
            for (String phase : new String[] {"qdisc", "xmit"}) {
                ScrapedHistogram h = ScrapedHistogram.of(scrape, NetifTxProbe.METRIC, "netns", senderInode, "phase", phase);
                System.out.printf("sender %s: count %.0f of %d packets sent, mean %.3f us%n", phase, h.count(), sent[0],
                        h.sum() / h.count() * 1e6);
                assertTrue(h.count() >= DATAGRAMS + 1, phase + ": every datagram the sender's veth sent is observed, got "
                        + h.count());
                assertTrue(h.count() <= sent[0] + sent[1], phase + ": no more than the veth sent or dropped, "
                        + h.count() + " against " + sent[0] + " + " + sent[1]);
                h.assertConsistent();
            }
            // the receiver's veth sent only ARP replies: the sender's packets are not attributed to it
            String receiverInode = String.valueOf(lab.inode(receiver));
            double receiverXmits = ScrapedHistogram.of(scrape, NetifTxProbe.METRIC, "netns", receiverInode, "phase", "xmit").count();
            assertTrue(receiverXmits < 10, "the receiver transmitted almost nothing, got " + receiverXmits);
            assertTrue(scrape.value("podnet_bpf_map_max_entries", "probe", "netiftx", "map", "queued_skbs") > 0,
                    "the in-flight packet map reports its fill");
        }
    }

    @Test
    void packetsHeldByAQdiscAreObservedWithTheirWaitingTime() throws Exception {
        int datagrams = 200;
        try (NetnsLab lab = new NetnsLab();
             TestAgent agent = TestAgent.start(EVERY_PACKET)) {
            String sender = lab.add("snd");
            String receiver = lab.add("rcv");
            lab.veth(sender, "10.242.2.1/24", receiver, "10.242.2.2/24");
            // 1 Mbit/s: 200 datagrams of 1000 bytes take 1.6 s to leave, most of them wait far over 1 ms
            lab.exec(sender, "tc", "qdisc", "add", "dev", lab.lastVeth()[0], "root", "tbf", "rate", "1mbit", "burst", "1600",
                    "latency", "5s");
            InetSocketAddress to = new InetSocketAddress("10.242.2.2", 7100);
            try (DatagramChannel in = lab.inNetns(receiver, () -> DatagramChannel.open().bind(to));
                 DatagramChannel out = lab.inNetns(sender, DatagramChannel::open)) {
                ByteBuffer payload = ByteBuffer.allocate(1000);
                out.send(payload.clear(), to);
                assertEquals(1, NetnsSockets.receive(in, 1), "the first datagram crossed the veth");
                CompletableFuture<Integer> received =
                        CompletableFuture.supplyAsync(() -> NetnsSockets.receive(in, datagrams));
                for (int i = 0; i < datagrams; i++) {
                    out.send(payload.clear(), to);
                }
                assertEquals(datagrams, received.get(), "all datagrams left the token bucket");
            }
            Scrape scrape = agent.scrape();

            ScrapedHistogram qdisc = ScrapedHistogram.of(scrape, NetifTxProbe.METRIC, "netns",
                    String.valueOf(lab.inode(sender)), "phase", "qdisc");
            qdisc.assertConsistent();
            assertTrue(qdisc.count() >= datagrams + 1, "every datagram is observed, got " + qdisc.count());
            double underOneMs = qdisc.cumulativeAtMost(1.1e-3);
            System.out.printf("qdisc: %.0f observations, %.0f under 1 ms, mean %.1f ms%n", qdisc.count(), underOneMs,
                    qdisc.sum() / qdisc.count() * 1e3);
            assertTrue(qdisc.count() - underOneMs >= datagrams / 2,
                    "most datagrams waited in the token bucket for over 1 ms: " + qdisc.buckets());
        }
    }

    /**
     * With sampleEvery: N each phase times about one packet in N, drawn at random intervals per CPU: the
     * counts are near packets / N (a standard deviation of a few per cent at these numbers), far from
     * both every packet and none.
     */
    @Test
    void withSampleEveryNAboutOnePacketInNIsObserved() throws Exception {
        int every = 8;
        int datagrams = 4000;
        try (NetnsLab lab = new NetnsLab();
             TestAgent agent = TestAgent.start("probes: [netiftx]\nprobeDeadline: 60s\nprobeSettings:\n  netiftx: {sampleEvery: "
                     + every + ", window: none, perPodHistograms: true}\n")) {
            String sender = lab.add("snd");
            String receiver = lab.add("rcv");
            lab.veth(sender, "10.242.3.1/24", receiver, "10.242.3.2/24");
            InetSocketAddress to = new InetSocketAddress("10.242.3.2", 7100);
            try (DatagramChannel in = lab.inNetns(receiver, () -> DatagramChannel.open().bind(to));
                 DatagramChannel out = lab.inNetns(sender, DatagramChannel::open)) {
                ByteBuffer payload = ByteBuffer.allocate(200);
                out.send(payload.clear(), to);
                assertEquals(1, NetnsSockets.receive(in, 1), "the first datagram crossed the veth");
                for (int i = 0; i < datagrams; i++) {
                    out.send(payload.clear(), to);
                }
            }
            long packets = transmitted(lab, sender, lab.lastVeth()[0])[0];
            Scrape scrape = agent.scrape();

            assertEquals(1.0 / every, scrape.value(NetifTxProbe.SAMPLE_RATIO_METRIC), 1e-12);
            for (String phase : new String[] {"qdisc", "xmit"}) {
                ScrapedHistogram h = ScrapedHistogram.of(scrape, NetifTxProbe.METRIC, "netns",
                        String.valueOf(lab.inode(sender)), "phase", phase);
                System.out.printf("sampled %s: count %.0f of %d packets, expected about %d%n", phase, h.count(), packets,
                        packets / every);
                h.assertConsistent();
                assertTrue(h.count() > packets / every * 0.7 && h.count() < packets / every * 1.3,
                        phase + ": about one packet in " + every + " of " + packets + ", got " + h.count());
            }
        }
    }

    /**
     * Without {@code perPodHistograms} a phase is one histogram for the node: no namespace labels, and it
     * holds the sender's packets (and whatever else the node sent meanwhile). {@code perPodHistograms: true},
     * applied by a reload, splits it by namespace again.
     */
    @Test
    void byDefaultEachPhaseIsOneHistogramForTheNodeAndPerPodSplitsItByNamespace() throws Exception {
        String nodeWide = "probes: [netiftx]\nprobeDeadline: 60s\nprobeSettings:\n  netiftx: {sampleEvery: 1, window: none}\n";
        try (NetnsLab lab = new NetnsLab(); TestAgent agent = TestAgent.start(nodeWide)) {
            String sender = lab.add("snd");
            String receiver = lab.add("rcv");
            lab.veth(sender, "10.242.4.1/24", receiver, "10.242.4.2/24");
            InetSocketAddress to = new InetSocketAddress("10.242.4.2", 7100);
            String senderInode = String.valueOf(lab.inode(sender));
            try (DatagramChannel in = lab.inNetns(receiver, () -> DatagramChannel.open().bind(to));
                 DatagramChannel out = lab.inNetns(sender, DatagramChannel::open)) {
                ByteBuffer payload = ByteBuffer.allocate(200);
                out.send(payload.clear(), to);
                assertEquals(1, NetnsSockets.receive(in, 1), "the first datagram crossed the veth");
                for (int i = 0; i < DATAGRAMS; i++) {
                    out.send(payload.clear(), to);
                }
                Scrape scrape = agent.scrape();
                for (String phase : new String[] {"qdisc", "xmit"}) {
                    ScrapedHistogram node = ScrapedHistogram.of(scrape, NetifTxProbe.METRIC, "netns", "", "phase", phase);
                    node.assertConsistent();
                    assertTrue(node.count() >= DATAGRAMS + 1, phase + ": the node's histogram holds the sender's "
                            + "datagrams, got " + node.count());
                }
                assertEquals(2, scrape.find(NetifTxProbe.METRIC + "_count").size(), "one histogram per phase");
                assertTrue(scrape.find(NetifTxProbe.METRIC + "_count").stream().allMatch(s -> s.label("netns").isEmpty()),
                        "no namespace labels: " + scrape.find(NetifTxProbe.METRIC + "_count"));

                agent.rewriteConfig(nodeWide.replace("window: none}", "window: none, perPodHistograms: true}"));
                for (int i = 0; i < DATAGRAMS; i++) {
                    out.send(payload.clear(), to);
                }
                Scrape perPod = agent.scrape();
                assertEquals(1, perPod.value("podnet_config_reloads_total", "result", "success"));
                for (String phase : new String[] {"qdisc", "xmit"}) {
                    ScrapedHistogram h = ScrapedHistogram.of(perPod, NetifTxProbe.METRIC, "netns", senderInode, "phase", phase);
                    h.assertConsistent();
                    assertTrue(h.count() >= DATAGRAMS, phase + ": the sender's own histogram after the reload, got "
                            + h.count());
                }
            }
        }
    }

    /** The device's transmitted and dropped packets, as the namespace's /proc/net/dev counts them. */
    private static long[] transmitted(NetnsLab lab, String ns, String device) {
        for (String line : lab.procFile(ns, "net/dev").split("\n")) {
            String[] parts = line.trim().split("[:\\s]+");
            if (parts[0].equals(device)) {
                return new long[] {Long.parseLong(parts[10]), Long.parseLong(parts[12])};
            }
        }
        throw new AssertionError("no device " + device + " in " + ns + "'s net/dev");
    }
}
