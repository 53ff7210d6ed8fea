package dev.podnet.probe.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.probe.EventTypes;
import dev.podnet.probe.ProbeEvent;
import dev.podnet.testing.NetnsLab;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** packetloss's PACKET_DROP events against drops made on purpose in fresh namespaces. */
@Timeout(120)
class PacketDropEventsIT {
    private static final int DROPPED_PORT = 6011;
    private static final int SENDER_PORT = 6012;
    private static final int CLOSED_PORT = 6013;
    private static final int PACKETS = 3;

    @BeforeAll
    static void kernel() {
        BpfProbeLab.assumeBpf();
    }

    /**
     * UDP datagrams an nftables rule drops on input: NETFILTER_DROP in the dropping namespace, on the receiving
     * device, with the datagram's own tuple, and where netfilter dropped them as the kernel itself names it:
     * the kfree_skb tracepoint's own text output (tracefs, %pS) for the same drops.
     */
    @Test
    void anNftablesDropIsAPacketDropWithItsReasonLocationDeviceAndTuple() throws Exception {
        CapturedEvents events = new CapturedEvents();
        try (NetnsLab lab = new NetnsLab();
             PacketLossProbe probe = KernelEventLab.start(new PacketLossProbe(), events, Map.of())) {
            String[] ns = BpfProbeLab.pair(lab, 25);
            long server = lab.inode(ns[1]);
            dropUdpOnInput(lab, ns[1]);
            String kernelSays;
            try (KfreeSkbTrace trace = new KfreeSkbTrace(lab.prefix())) {
                sendUdp(lab, ns[0], "10.212.25.1", "10.212.25.2");
                kernelSays = trace.location("NETFILTER_DROP");
            }

            List<ProbeEvent> drops = events.await(e -> CapturedEvents.of(EventTypes.PACKET_DROP, server).test(e)
                    && "NETFILTER_DROP".equals(e.fields().get("reason")), PACKETS, "netfilter drops");
            for (ProbeEvent drop : drops) {
                Map<String, Object> f = drop.fields();
                assertEquals("packetloss", drop.probe());
                assertEquals("udp", f.get("protocol"), drop.toString());
                assertEquals("ipv4", f.get("family"));
                assertEquals("10.212.25.1", f.get("saddr"));
                assertEquals(SENDER_PORT, f.get("sport"));
                assertEquals("10.212.25.2", f.get("daddr"));
                assertEquals(DROPPED_PORT, f.get("dport"));
                assertEquals(lab.lastVeth()[1], f.get("device"));
                assertTrue(f.get("location").toString().matches("(nf_hook_slow|nft_do_chain)\\+0x[0-9a-f]+"), drop.toString());
                assertEquals(kernelSays, f.get("location"), "as the kernel's tracepoint output names it");
                assertTrue(drop.message().contains("udp 10.212.25.1:6012 -> 10.212.25.2:6011 dropped on " + lab.lastVeth()[1]
                        + ": NETFILTER_DROP at " + kernelSays), drop.message());
            }
            assertEquals(PACKETS, drops.size(), "one event per drop: " + drops);
        }
    }

    /**
     * With eventReasons naming NO_SOCKET only, a datagram to a closed port makes an event and the netfilter
     * drops make none (they are still counted).
     */
    @Test
    void onlyTheSelectedReasonsMakeEvents() throws Exception {
        CapturedEvents events = new CapturedEvents();
        try (NetnsLab lab = new NetnsLab();
             PacketLossProbe probe = KernelEventLab.start(new PacketLossProbe(), events,
                     Map.of(DropEventReasons.SETTING, List.of("NO_SOCKET")))) {
            String[] ns = BpfProbeLab.pair(lab, 26);
            long server = lab.inode(ns[1]);
            KernelEventLab.ipv6(lab, ns, 26);
            dropUdpOnInput(lab, ns[1]);
            sendUdp(lab, ns[0], "10.212.26.1", "10.212.26.2");
            try (DatagramSocket sender = lab.inNetns(ns[0], () -> new DatagramSocket(new InetSocketAddress("fd00:212:26::1", SENDER_PORT)))) {
                sender.send(new DatagramPacket(new byte[10], 10, InetAddress.getByName("fd00:212:26::2"), CLOSED_PORT));
            }
            ProbeEvent noSocket = events.await(CapturedEvents.of(EventTypes.PACKET_DROP, server), 1, "a no-socket drop").getFirst();
            assertEquals("NO_SOCKET", noSocket.fields().get("reason"));
            assertEquals("ipv6", noSocket.fields().get("family"));
            assertEquals("fd00:212:26::1", noSocket.fields().get("saddr"));
            assertEquals("fd00:212:26::2", noSocket.fields().get("daddr"));
            assertEquals(CLOSED_PORT, noSocket.fields().get("dport"));
            assertTrue(events.all().stream().noneMatch(e -> "NETFILTER_DROP".equals(e.fields().get("reason"))), events.all().toString());
        }
    }

    /**
     * Datagrams to a multicast group nobody joined are dropped on arrival: no events by default (a marker
     * datagram to a closed port, sent after them, shows the reader got that far), events with
     * eventMulticast: true.
     */
    @Test
    void dropsOfPacketsToGroupsMakeEventsOnlyWhenAskedFor() throws Exception {
        for (boolean multicast : new boolean[] {false, true}) {
            CapturedEvents events = new CapturedEvents();
            try (NetnsLab lab = new NetnsLab();
                 PacketLossProbe probe = KernelEventLab.start(new PacketLossProbe(), events,
                         Map.of(DropEventReasons.MULTICAST_SETTING, multicast))) {
                String[] ns = BpfProbeLab.pair(lab, 31);
                long server = lab.inode(ns[1]);
                String device = lab.lastVeth()[0];
                lab.inNetns(ns[0], () -> {
                    try (var sender = java.nio.channels.DatagramChannel.open(StandardProtocolFamily.INET)) {
                        sender.bind(new InetSocketAddress("10.212.31.1", SENDER_PORT));
                        sender.setOption(java.net.StandardSocketOptions.IP_MULTICAST_IF, java.net.NetworkInterface.getByName(device));
                        for (int i = 0; i < PACKETS; i++) {
                            sender.send(java.nio.ByteBuffer.allocate(10), new InetSocketAddress("239.1.2.3", DROPPED_PORT));
                        }
                        sender.send(java.nio.ByteBuffer.allocate(10), new InetSocketAddress("10.212.31.2", CLOSED_PORT));
                    }
                    return null;
                });
                events.await(e -> CapturedEvents.of(EventTypes.PACKET_DROP, server).test(e)
                        && Integer.valueOf(CLOSED_PORT).equals(e.fields().get("dport")), 1, "the marker's drop");
                if (multicast) {
                    List<ProbeEvent> group = events.await(e -> CapturedEvents.of(EventTypes.PACKET_DROP, server).test(e)
                            && "239.1.2.3".equals(e.fields().get("daddr")), PACKETS, "drops to the group");
                    assertEquals("udp", group.getFirst().fields().get("protocol"));
                } else {
                    assertTrue(events.all().stream().noneMatch(e -> "239.1.2.3".equals(e.fields().get("daddr"))),
                            events.all().toString());
                }
            }
        }
    }

    private static void dropUdpOnInput(NetnsLab lab, String ns) throws Exception {
        lab.nft(ns, "inet", "pndrop", """
                table inet pndrop {
                  chain input {
                    type filter hook input priority 0; policy accept;
                    udp dport %d drop
                  }
                }
                """.formatted(DROPPED_PORT));
    }

    private static void sendUdp(NetnsLab lab, String ns, String from, String to) throws Exception {
        try (var sender = lab.inNetns(ns, () -> java.nio.channels.DatagramChannel.open(StandardProtocolFamily.INET)
                .bind(new InetSocketAddress(from, SENDER_PORT)))) {
            for (int i = 0; i < PACKETS; i++) {
                sender.send(java.nio.ByteBuffer.allocate(100), new InetSocketAddress(to, DROPPED_PORT));
            }
        }
    }
}
