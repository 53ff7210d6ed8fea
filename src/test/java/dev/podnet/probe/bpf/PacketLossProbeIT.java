package dev.podnet.probe.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.Sh;
import dev.podnet.testing.TestAgent;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class PacketLossProbeIT {
    private static final int DROPPED_PORT = 6001;
    private static final int DELIVERED_PORT = 6002;
    private static final int PACKETS = 7;
    private static final int STREAM_PORT = 6003;
    private static final int ROUND_MIB = 256;
    private static final int MAX_ROUNDS = 32;
    private static final long MIN_RECEIVER_DROPS = 100;
    /**
     * How a TCP receiver drops a segment it already has: wholly before what it expects next (old data), or
     * before its last window update (old sequence). Each also counts in the receiver's DelayedACKLost.
     */
    private static final Set<String> OLD_SEGMENT_REASONS = Set.of("TCP_OLD_DATA", "TCP_OLD_SEQUENCE");

    @BeforeAll
    static void kernel() {
        BpfProbeLab.assumeBpf();
    }

    @Test
    void nftablesDropIsNetfilterDropInTheDroppingNamespaceAndDeliveryIsNoDrop() throws Exception {
        try (NetnsLab lab = new NetnsLab(); TestAgent agent = TestAgent.start("probes: [packetloss]\n")) {
            String[] ns = BpfProbeLab.pair(lab, 4);
            String client = BpfProbeLab.netns(lab, ns[0]);
            String server = BpfProbeLab.netns(lab, ns[1]);
            lab.nft(ns[1], "inet", "pndrop", """
                    table inet pndrop {
                      chain input {
                        type filter hook input priority 0; policy accept;
                        udp dport %d drop
                      }
                    }
                    """.formatted(DROPPED_PORT));
            try (DatagramSocket receiver = lab.inNetns(ns[1], () -> new DatagramSocket(new InetSocketAddress("10.212.4.2", DELIVERED_PORT)));
                 DatagramSocket sender = lab.inNetns(ns[0], () -> new DatagramSocket(new InetSocketAddress("10.212.4.1", 0)))) {
                InetAddress target = InetAddress.getByName("10.212.4.2");
                for (int i = 0; i < PACKETS; i++) {
                    sender.send(new DatagramPacket(new byte[100], 100, target, DROPPED_PORT));
                    sender.send(new DatagramPacket(new byte[100], 100, target, DELIVERED_PORT));
                }
                receiver.setSoTimeout(10_000);
                for (int i = 0; i < PACKETS; i++) {
                    receiver.receive(new DatagramPacket(new byte[200], 200)); // delivered, then freed normally
                }
            }
            Scrape scrape = BpfProbeLab.awaitScrape(agent,
                    s -> s.sum("podnet_packet_drops_total", "netns", server, "reason", "NETFILTER_DROP") >= PACKETS,
                    "netfilter drops");
            System.out.println(String.join("\n", scrape.find("podnet_packet_drops_total", "netns", server).stream()
                    .map(Object::toString).toList()));
            System.out.println(String.join("\n", scrape.find("podnet_packet_drops_total", "netns", client).stream()
                    .map(Object::toString).toList()));
            assertEquals(PACKETS, scrape.value("podnet_packet_drops_total", "netns", server, "reason", "NETFILTER_DROP"));
            assertEquals(0, scrape.sum("podnet_packet_drops_total", "netns", client, "reason", "NETFILTER_DROP"),
                    "the sender dropped nothing: drops belong to the namespace that dropped");
            assertTrue(scrape.find("podnet_packet_drops_total", "reason", "CONSUMED").isEmpty(), "normal frees are no drops");
            assertTrue(scrape.find("podnet_packet_drops_total", "reason", "NOT_DROPPED_YET").isEmpty());

            Set<String> kernelNames = kernelDropReasons();
            for (Scrape.Series s : scrape.find("podnet_packet_drops_total")) {
                String reason = s.label("reason");
                assertTrue(kernelNames.contains(reason) || reason.matches("[A-Z0-9_]+_\\d+"),
                        reason + " is a name the running kernel defines (bpftool btf dump)");
            }
        }
    }

    /**
     * A TCP stream with 3 % loss on the sender's side: the sender retransmits, some retransmissions turn out
     * spurious, and the receiver drops those as old data. At the kernel's drop those segments carry neither
     * a device nor a socket; the receiving socket the tracepoint names puts them in the receiver's namespace.
     * The kernel counts each such drop in the receiver's TcpExt DelayedACKLost (it answers with a duplicate
     * ACK), which bounds what belongs there whatever else runs on the machine.
     */
    @Test
    void receiverDropsOfATcpStreamUnderLossBelongToTheReceiversNamespace() throws Exception {
        assumeTrue(kfreeSkbNamesReceiver(), "kfree_skb names the receiving socket since Linux 6.11; this kernel's does not");
        try (NetnsLab lab = new NetnsLab(); TestAgent agent = TestAgent.start("probes: [packetloss]\n")) {
            String[] ns = BpfProbeLab.pair(lab, 5);
            String sender = BpfProbeLab.netns(lab, ns[0]);
            String receiver = BpfProbeLab.netns(lab, ns[1]);
            lab.nft(ns[0], "inet", "pnloss", """
                    table inet pnloss {
                      chain output {
                        type filter hook output priority 0; policy accept;
                        tcp dport %d numgen random mod 100 < 3 counter drop
                      }
                    }
                    """.formatted(STREAM_PORT));
            Scrape before = agent.scrape();
            long lostAcksBefore = BpfProbeLab.tcpExt(lab, ns[1], "DelayedACKLost");
            long sent = 0;
            try (ServerSocket server = BpfProbeLab.listen(lab, ns[1], "10.212.5.2", STREAM_PORT)) {
                CompletableFuture<Long> received = CompletableFuture.supplyAsync(() -> drain(server));
                try (Socket client = BpfProbeLab.connect(lab, ns[0], "10.212.5.2", STREAM_PORT);
                     OutputStream out = client.getOutputStream()) {
                    // enough of a stream for a share of 10 % to mean something: rounds until the receiver
                    // has dropped at least MIN_RECEIVER_DROPS segments (a GiB usually makes 100-300)
                    byte[] chunk = new byte[1 << 20];
                    for (int round = 0; round < MAX_ROUNDS
                            && BpfProbeLab.tcpExt(lab, ns[1], "DelayedACKLost") - lostAcksBefore < MIN_RECEIVER_DROPS; round++) {
                        for (int i = 0; i < ROUND_MIB; i++) {
                            out.write(chunk);
                            sent += chunk.length;
                        }
                    }
                }
                assertEquals(sent, received.get());
            }
            // The connection's last segments may still be in flight (and lost): read the rule's counter on both
            // sides of the scrape, and what podnet counted must lie between.
            long nftBeforeScrape = nftCounterPackets(lab.exec(ns[0], "nft", "list", "table", "inet", "pnloss"));
            Scrape after = agent.scrape();
            long kernelReceiverDrops = BpfProbeLab.tcpExt(lab, ns[1], "DelayedACKLost") - lostAcksBefore;
            long nftDrops = nftCounterPackets(lab.exec(ns[0], "nft", "list", "table", "inet", "pnloss"));
            Map<String, Double> rx = deltas(before, after, receiver);
            Map<String, Double> tx = deltas(before, after, sender);
            Map<String, Double> nodeWide = deltas(before, after, "");
            double attributed = sum(rx, OLD_SEGMENT_REASONS);
            double unattributed = sum(nodeWide, OLD_SEGMENT_REASONS);
            System.out.printf("%d MiB sent; receiver: DelayedACKLost %d, podnet %s with its netns %.0f, without netns %.0f;"
                            + "%nall drops: receiver %s, sender %s, node-wide %s; nftables dropped %d%n",
                    sent >> 20, kernelReceiverDrops, OLD_SEGMENT_REASONS, attributed, unattributed, rx, tx, nodeWide, nftDrops);

            assertTrue(kernelReceiverDrops >= MIN_RECEIVER_DROPS,
                    "the receiver dropped only " + kernelReceiverDrops + " segments after " + (sent >> 20) + " MiB");
            double senderFilterDrops = tx.getOrDefault("NETFILTER_DROP", 0.0);
            // The kernel skips a tracing program that would run nested on a CPU where it already runs (a drop
            // in a softirq that interrupted another drop): a few in a thousand may go unseen, never more.
            assertTrue(senderFilterDrops >= nftBeforeScrape * 0.99 - 1 && senderFilterDrops <= nftDrops,
                    "the sender's nftables drops, as its rule counted them (" + nftBeforeScrape + " to " + nftDrops
                            + " around the scrape), are the sender's: " + senderFilterDrops);
            assertTrue(attributed >= 0.9 * kernelReceiverDrops, "at least 90 % of the " + kernelReceiverDrops
                    + " segments the receiver dropped (DelayedACKLost) carry its netns: " + attributed);
            assertTrue(unattributed <= 0.1 * (attributed + unattributed), "at most 10 % of the drops of "
                    + OLD_SEGMENT_REASONS + " are node-wide: " + unattributed + " of " + (attributed + unattributed));
        }
    }

    private static double sum(Map<String, Double> byReason, Set<String> reasons) {
        return byReason.entrySet().stream().filter(e -> reasons.contains(e.getKey())).mapToDouble(Map.Entry::getValue).sum();
    }

    /** The packets of the only counter in an {@code nft list table} output. */
    private static long nftCounterPackets(String table) {
        Matcher m = Pattern.compile("counter packets (\\d+) bytes").matcher(table);
        assertTrue(m.find(), "a counter in\n" + table);
        return Long.parseLong(m.group(1));
    }

    private static Map<String, Double> deltas(Scrape before, Scrape after, String netns) {
        Map<String, Double> d = new TreeMap<>();
        for (Scrape.Series s : after.find("podnet_packet_drops_total", "netns", netns)) {
            double was = before.sum("podnet_packet_drops_total", "netns", netns, "reason", s.label("reason"));
            if (s.value() > was) {
                d.put(s.label("reason"), s.value() - was);
            }
        }
        return d;
    }

    private static long drain(ServerSocket server) {
        try (Socket accepted = server.accept(); InputStream in = accepted.getInputStream()) {
            return in.transferTo(OutputStream.nullOutputStream());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether the kernel's kfree_skb tracepoint has rx_sk, by its prototype as bpftool prints it from BTF. */
    private static boolean kfreeSkbNamesReceiver() {
        String c = Sh.run("bpftool", "btf", "dump", "file", "/sys/kernel/btf/vmlinux", "format", "c");
        Matcher m = Pattern.compile("typedef void \\(\\*btf_trace_kfree_skb\\)\\(([^)]*)\\);").matcher(c);
        assertTrue(m.find(), "bpftool shows the kfree_skb tracepoint");
        return m.group(1).split(",").length >= 5; // the tracepoint's private data, then skb, location, reason, rx_sk
    }

    /** enum skb_drop_reason as bpftool prints it from the running kernel's BTF, prefix removed. */
    private static Set<String> kernelDropReasons() {
        String c = Sh.run("bpftool", "btf", "dump", "file", "/sys/kernel/btf/vmlinux", "format", "c");
        int start = c.indexOf("enum skb_drop_reason {");
        String body = c.substring(start, c.indexOf("};", start));
        Set<String> names = new HashSet<>();
        Matcher m = Pattern.compile("SKB_DROP_REASON_([A-Z0-9_]+) =").matcher(body);
        while (m.find()) {
            names.add(m.group(1));
        }
        assertTrue(names.contains("NETFILTER_DROP"), "bpftool shows the enum");
        return names;
    }
}
