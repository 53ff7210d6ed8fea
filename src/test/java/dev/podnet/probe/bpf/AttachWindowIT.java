package dev.podnet.probe.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.NetnsSockets;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.TestAgent;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * netiftx and softirq with a window: their programs are attached for part of every period and
 * detached in between, what they observe while attached is correct (no timestamp carried across a
 * gap), and the exported sampling ratio says which share of events is observed.
 */
@Timeout(120)
class AttachWindowIT {
    private static final String CONFIG = """
            probes: [netiftx, softirq]
            probeDeadline: 60s
            probeSettings:
              netiftx: {sampleEvery: 1, window: {length: 1s, every: 2s}, perPodHistograms: true}
              softirq: {sampleEvery: 1, window: {length: 1s, every: 2s}}
            """;

    @BeforeAll
    static void root() {
        NetnsLab.assumeKernelLab();
        BpfLab.assumeBpf();
    }

    @Test
    void programsComeAndGoAndWhatTheyObserveWhileAttachedIsRight() throws Exception {
        try (NetnsLab lab = new NetnsLab(); TestAgent agent = TestAgent.start(CONFIG)) {
            String sender = lab.add("snd");
            String receiver = lab.add("rcv");
            lab.veth(sender, "10.242.4.1/24", receiver, "10.242.4.2/24");
            InetSocketAddress to = new InetSocketAddress("10.242.4.2", 7100);
            int most = 0;
            int fewest = Integer.MAX_VALUE;
            try (DatagramChannel in = lab.inNetns(receiver, () -> DatagramChannel.open().bind(to));
                 DatagramChannel out = lab.inNetns(sender, DatagramChannel::open)) {
                ByteBuffer payload = ByteBuffer.allocate(200);
                out.send(payload.clear(), to);
                assertEquals(1, NetnsSockets.receive(in, 1), "the first datagram crossed the veth");
                in.configureBlocking(false);
                // five periods of traffic, noting how many of the six programs are attached as we go
                long end = System.nanoTime() + 10_000_000_000L;
                while (System.nanoTime() < end) {
                    for (int i = 0; i < 50; i++) {
                        out.send(payload.clear(), to);
                    }
                    while (in.receive(payload.clear()) != null) {
                        // drain, so the receiver's queue never overflows
                    }
                    int links = tracingLinks();
                    most = Math.max(most, links);
                    fewest = Math.min(fewest, links);
                    Thread.sleep(20);
                }
            }
            Scrape scrape = agent.scrape();

            System.out.printf("links between %d and %d%n", fewest, most);
            assertEquals(6, most, "all six programs attached in a window");
            assertEquals(0, fewest, "none attached between windows");
            assertEquals(0.5, scrape.value(NetifTxProbe.SAMPLE_RATIO_METRIC), 1e-12, "every packet, half the time");
            assertEquals(0.5, scrape.value(SoftirqProbe.SAMPLE_RATIO_METRIC), 1e-12);
            String senderInode = String.valueOf(lab.inode(sender));
            for (String phase : new String[] {"qdisc", "xmit"}) {
                ScrapedHistogram h = ScrapedHistogram.of(scrape, NetifTxProbe.METRIC, "netns", senderInode, "phase", phase);
                h.assertConsistent();
                // a veth without a qdisc: no packet waits or transmits for as long as a millisecond
                assertEquals(h.count(), h.cumulativeAtMost(1.1e-3), phase + ": nothing paired across a gap "
                        + h.buckets());
            }
            ScrapedHistogram rxWait = ScrapedHistogram.of(scrape, SoftirqProbe.METRIC, "type", "net_rx", "phase", "wait");
            rxWait.assertConsistent();
            // a raise before a gap whose softirq ran in the gap would otherwise pair with the next window
            assertEquals(rxWait.count(), rxWait.cumulativeAtMost(0.6), "no NET_RX wait as long as a gap: "
                    + rxWait.buckets());
        }
    }

    /**
     * What an operator gets without a config: all seven BPF probes run, the five event probes attached all
     * the time, netiftx and softirq sampled (one event in 16) and attached a second in every eight, and
     * the ratio gauges say so, so dashboards can scale the histograms' rates back up.
     */
    @Test
    void byDefaultEveryBpfProbeRunsAndOnlyNetiftxAndSoftirqComeAndGo() throws Exception {
        try (TestAgent agent = TestAgent.start("")) {
            int most = 0;
            int fewest = Integer.MAX_VALUE;
            long end = System.nanoTime() + 9_000_000_000L;
            while (System.nanoTime() < end) {
                int links = tracingLinks();
                most = Math.max(most, links);
                fewest = Math.min(fewest, links);
                Thread.sleep(20);
            }
            Scrape scrape = agent.scrape();

            for (String probe : new String[] {"tcpretrans", "tcpreset", "tcpconn", "packetloss", "sockbuf", "softirq",
                    "netiftx"}) {
                assertEquals(1, scrape.value("podnet_probe_up", "probe", probe), probe + " runs by default");
            }
            System.out.printf("links between %d and %d%n", fewest, most);
            assertEquals(6, most - fewest, "the six programs of netiftx and softirq come and go, the others stay");
            assertTrue(fewest >= 7, "the five event probes' seven programs stay attached: " + fewest);
            assertEquals(1.0 / 16 / 8, scrape.value(NetifTxProbe.SAMPLE_RATIO_METRIC), 1e-12,
                    "one packet in 16, an eighth of the time");
            assertEquals(1.0 / 16 / 8, scrape.value(SoftirqProbe.SAMPLE_RATIO_METRIC), 1e-12);
        }
    }

    /** BPF links of tracing (tp_btf) programs this JVM holds: the agent's, since it runs in the test's process. */
    private static int tracingLinks() throws IOException {
        int links = 0;
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fdinfo"))) {
            for (Path fd : fds.toList()) {
                try {
                    String info = Files.readString(fd);
                    if (info.contains("link_type:\ttracing") || info.contains("link_type:\traw_tracepoint")) {
                        links++;
                    }
                } catch (IOException gone) {
                    // closed meanwhile
                }
            }
        }
        return links;
    }
}
