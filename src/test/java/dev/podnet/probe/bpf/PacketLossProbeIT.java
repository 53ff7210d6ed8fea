package dev.podnet.probe.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.Sh;
import dev.podnet.testing.TestAgent;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.HashSet;
import java.util.Set;
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
