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
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Network softirqs measured against the kernel's own count of them (/proc/softirqs). NET_RX comes from
 * veth receive (the backlog); NET_TX from a token bucket qdisc whose timer reschedules the device
 * through the NET_TX softirq. With {@code sampleEvery: 1} every run is timed; with N, about one in N.
 */
class SoftirqProbeIT {
    private static final int DATAGRAMS = 300;

    @BeforeAll
    static void root() {
        NetnsLab.assumeKernelLab();
        BpfLab.assumeBpf();
    }

    @Test
    void netRxAndNetTxRunsAndWaitsAreCountedWithinTheKernelsOwnSoftirqCounts() throws Exception {
        try (NetnsLab lab = new NetnsLab(); TestAgent agent = TestAgent.start(config(1))) {
            Traffic traffic = Traffic.throughATokenBucket(lab, agent);
            Scrape before = traffic.before();
            Scrape after = traffic.after();
            long[] s0 = traffic.s0();
            long[] s1 = traffic.s1();
            long[] s2 = traffic.s2();
            long[] s3 = traffic.s3();

            assertEquals(1, after.value("podnet_probe_up", "probe", "softirq"), "probe running");
            assertEquals(1.0, after.value(SoftirqProbe.SAMPLE_RATIO_METRIC), "every softirq is timed");
            int cpus = Runtime.getRuntime().availableProcessors();
            String[] types = {"net_tx", "net_rx"};
            for (int t = 0; t < types.length; t++) {
                String type = types[t];
                double runs = count(after, type, "run") - count(before, type, "run");
                long kernelLow = s2[t] - s1[t];
                long kernelHigh = s3[t] - s0[t];
                System.out.printf("%s: podnet runs %.0f, kernel %d..%d, waits %.0f%n", type, runs, kernelLow, kernelHigh,
                        count(after, type, "wait") - count(before, type, "wait"));
                assertTrue(kernelLow > 0, type + " softirqs ran during the traffic (/proc/softirqs)");
                // Runs are counted by the kernel as they start and by podnet as they end: at most one run
                // per CPU can be in flight at each edge of the window. podnet never invents a run.
                assertTrue(runs > 0 && runs <= kernelHigh + cpus,
                        type + ": podnet saw " + runs + " runs, the kernel counted at most " + kernelHigh);
                // On this test VM the tracepoint programs miss a few percent of NET_TX runs under load
                // (classic and raw tracepoint programs alike, no recursion misses reported), so the lower
                // bound asks for the bulk of the runs, not for all of them.
                assertTrue(runs >= (kernelLow - cpus) * 0.8,
                        type + ": podnet saw only " + runs + " runs, the kernel counted at least " + kernelLow);
                assertTrue(count(after, type, "wait") > count(before, type, "wait"), type + " waits observed");
                ScrapedHistogram.of(after, SoftirqProbe.METRIC, "type", type, "phase", "run").assertConsistent();
                ScrapedHistogram.of(after, SoftirqProbe.METRIC, "type", type, "phase", "wait").assertConsistent();
            }
            assertTrue(after.find(SoftirqProbe.METRIC + "_count").stream().allMatch(s -> s.label("netns").isEmpty()),
                    "node-wide series carry no namespace labels");
        }
    }

    /**
     * With sampleEvery: N, each phase times about one softirq in N (at random intervals of 1 to 2N - 1
     * per CPU): the counts are near the kernel's / N, far from both every run and none.
     */
    @Test
    void withSampleEveryNAboutOneSoftirqInNIsTimed() throws Exception {
        int every = 4;
        try (NetnsLab lab = new NetnsLab(); TestAgent agent = TestAgent.start(config(every))) {
            Traffic traffic = Traffic.throughATokenBucket(lab, agent);
            Scrape before = traffic.before();
            Scrape after = traffic.after();
            long[] s0 = traffic.s0();
            long[] s1 = traffic.s1();
            long[] s2 = traffic.s2();
            long[] s3 = traffic.s3();

            assertEquals(1.0 / every, after.value(SoftirqProbe.SAMPLE_RATIO_METRIC), 1e-12);
            int cpus = Runtime.getRuntime().availableProcessors();
            String[] types = {"net_tx", "net_rx"};
            for (int t = 0; t < types.length; t++) {
                String type = types[t];
                long kernelLow = s2[t] - s1[t];
                long kernelHigh = s3[t] - s0[t];
                for (String phase : new String[] {"run", "wait"}) {
                    double timed = count(after, type, phase) - count(before, type, phase);
                    System.out.printf("%s %s: podnet timed %.0f, kernel ran %d..%d, expected about 1 in %d%n", type, phase,
                            timed, kernelLow, kernelHigh, every);
                    assertTrue(timed >= kernelLow / every * 0.5 && timed <= (double) kernelHigh / every * 1.5 + cpus,
                            type + " " + phase + ": about one in " + every + " of " + kernelLow + ".." + kernelHigh
                                    + " softirqs timed, got " + timed);
                }
                ScrapedHistogram.of(after, SoftirqProbe.METRIC, "type", type, "phase", "run").assertConsistent();
            }
        }
    }

    /**
     * Two scrapes around {@value #DATAGRAMS} datagrams through a veth whose sender has a token bucket of
     * 2 Mbit/s with a one-packet burst (nearly every datagram waits for the qdisc's timer), with the
     * kernel's NET_TX / NET_RX counts read around each scrape: s0 before the first, s1 after it, s2
     * before the second, s3 after it.
     */
    private record Traffic(Scrape before, Scrape after, long[] s0, long[] s1, long[] s2, long[] s3) {
        static Traffic throughATokenBucket(NetnsLab lab, TestAgent agent) throws Exception {
            String a = lab.add("tx");
            String b = lab.add("rx");
            lab.veth(a, "10.241.1.1/24", b, "10.241.1.2/24");
            lab.exec(a, "tc", "qdisc", "add", "dev", lab.lastVeth()[0], "root", "tbf", "rate", "2mbit", "burst", "1600",
                    "latency", "2s");
            long[] s0 = kernelSoftirqs();
            Scrape before = agent.scrape();
            long[] s1 = kernelSoftirqs();
            sendAndReceive(lab, a, b);
            long[] s2 = kernelSoftirqs();
            Scrape after = agent.scrape();
            long[] s3 = kernelSoftirqs();
            return new Traffic(before, after, s0, s1, s2, s3);
        }
    }

    private static String config(int sampleEvery) {
        // a generous deadline: on a loaded machine a late collection would serve the previous values
        return "probes: [softirq]\nprobeDeadline: 60s\nprobeSettings:\n  softirq: {sampleEvery: " + sampleEvery + ", window: none}\n";
    }

    private static double count(Scrape scrape, String type, String phase) {
        return scrape.maybe(SoftirqProbe.METRIC + "_count", "type", type, "phase", phase).orElse(0.0);
    }

    /** NET_TX and NET_RX runs so far, all CPUs, from /proc/softirqs. */
    private static long[] kernelSoftirqs() throws Exception {
        long[] counts = new long[2];
        for (String line : Files.readAllLines(Path.of("/proc/softirqs"))) {
            String[] fields = line.strip().split("\\s+");
            int index = switch (fields[0]) {
                case "NET_TX:" -> 0;
                case "NET_RX:" -> 1;
                default -> -1;
            };
            for (int i = 1; index >= 0 && i < fields.length; i++) {
                counts[index] += Long.parseLong(fields[i]);
            }
        }
        return counts;
    }

    private static void sendAndReceive(NetnsLab lab, String a, String b) throws Exception {
        try (DatagramChannel receiver = lab.inNetns(b, () -> DatagramChannel.open().bind(new InetSocketAddress("10.241.1.2", 7000)));
             DatagramChannel sender = lab.inNetns(a, DatagramChannel::open)) {
            receiver.configureBlocking(false);
            InetSocketAddress to = new InetSocketAddress("10.241.1.2", 7000);
            ByteBuffer payload = ByteBuffer.allocate(1000);
            // one first, so ARP is resolved: the queue of packets waiting for it holds only a few
            sender.send(payload.clear(), to);
            assertEquals(1, NetnsSockets.receive(receiver, 1), "the first datagram crossed the veth");
            // the receiver drains while the sender is still sending (its buffer would overflow otherwise)
            CompletableFuture<Integer> received = CompletableFuture.supplyAsync(() -> NetnsSockets.receive(receiver, DATAGRAMS));
            for (int i = 0; i < DATAGRAMS; i++) {
                sender.send(payload.clear(), to);
            }
            // the token bucket lets them through at its rate
            int got = received.get();
            assertEquals(DATAGRAMS, got, "all datagrams crossed the veth");
        }
    }
}
