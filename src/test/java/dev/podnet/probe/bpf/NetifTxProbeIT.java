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
 * Transmit latency is attributed to the namespace whose device sent the packets, both phases, every
 * packet: on a device without a qdisc (veth's default, a pod's eth0) and on one whose qdisc holds
 * packets back (a token bucket), where packets wait and may leave from another CPU.
 */
class NetifTxProbeIT {
    private static final int DATAGRAMS = 500;

    @BeforeAll
    static void root() {
        NetnsLab.assumeKernelLab();
        BpfLab.assumeBpf();
    }

    @Test
    void everyDatagramSentIsObservedInBothPhasesOfTheSendersNamespace() throws Exception {
        try (NetnsLab lab = new NetnsLab();
             TestAgent agent = TestAgent.start("probes: [netiftx]\nprobeDeadline: 60s\n")) {
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

            assertEquals(1, scrape.value("podnet_probe_up", "probe", "netiftx"));
            String senderInode = String.valueOf(lab.inode(sender));
            for (String phase : new String[] {"qdisc", "xmit"}) {
                ScrapedHistogram h = ScrapedHistogram.of(scrape, NetifTxProbe.METRIC, "netns", senderInode, "phase", phase);
                System.out.printf("sender %s: count %.0f, mean %.3f us%n", phase, h.count(), h.sum() / h.count() * 1e6);
                assertTrue(h.count() >= DATAGRAMS + 1, phase + ": every datagram the sender's veth sent is observed, got "
                        + h.count());
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
             TestAgent agent = TestAgent.start("probes: [netiftx]\nprobeDeadline: 60s\n")) {
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
}
