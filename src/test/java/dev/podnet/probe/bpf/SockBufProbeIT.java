package dev.podnet.probe.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.TestAgent;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * An ICMP ping socket with the smallest receive buffer sends a burst of echo requests and never reads:
 * the replies overflow its receive queue. Ping sockets queue through sock_queue_rcv_skb, which drops at
 * a full queue with tracepoint sock:sock_rcvqueue_full and counts the drop in the socket's "drops"
 * column of /proc/net/icmp, which podnet must match. (UDP and, on this kernel, raw sockets drop on
 * paths of their own that do not fire the tracepoint.)
 */
class SockBufProbeIT {
    private static final int ECHO_REQUESTS = 200;

    @BeforeAll
    static void root() {
        NetnsLab.assumeKernelLab();
        BpfLab.assumeBpf();
    }

    @Test
    void receiveQueueFullDropsAreCountedInTheSocketsNamespaceAndMatchTheKernelsDropCount() throws Exception {
        try (NetnsLab lab = new NetnsLab(); TestAgent agent = TestAgent.start("probes: [sockbuf]\nprobeDeadline: 60s\n")) {
            String pinger = lab.add("ping");
            String peer = lab.add("peer");
            lab.veth(pinger, "10.243.1.1/24", peer, "10.243.1.2/24");
            lab.exec(pinger, "sysctl", "-qw", "net.ipv4.ping_group_range=0 0"); // root may open ping sockets
            Inet4Address to = (Inet4Address) InetAddress.getByName("10.243.1.2");
            try (NativeInetSocket ping = lab.inNetns(pinger,
                    () -> new NativeInetSocket(NativeInetSocket.SOCK_DGRAM, NativeInetSocket.IPPROTO_ICMP))) {
                ping.receiveBuffer(1); // the kernel raises it to its minimum: a few replies fit
                byte[] echoRequest = new byte[64];
                echoRequest[0] = 8; // ICMP_ECHO; the kernel fills in id and checksum
                for (int i = 0; i < ECHO_REQUESTS; i++) {
                    ping.send(to, echoRequest);
                }
                String pingerInode = String.valueOf(lab.inode(pinger));
                long drops = 0;
                double counted = -1;
                // replies arrive in softirq context, possibly after send returned: wait until both settle
                Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
                while (Instant.now().isBefore(deadline)) {
                    drops = socketDrops(lab.procFile(pinger, "net/icmp"));
                    counted = agent.scrape().maybe(SockBufProbe.RCVQUEUE_FULL, "netns", pingerInode, "protocol", "icmp")
                            .orElse(0.0);
                    if (drops > ECHO_REQUESTS / 2 && counted == drops) {
                        break;
                    }
                    Thread.sleep(100);
                }
                System.out.println("socket drops " + drops + ", podnet " + counted);
                assertTrue(drops > ECHO_REQUESTS / 2, "the unread socket dropped most replies, /proc/net/icmp says " + drops);
                assertEquals(drops, counted, 0.0, "podnet counts every receive-queue-full drop of the socket");
                Scrape scrape = agent.scrape();
                assertTrue(scrape.find(SockBufProbe.RCVQUEUE_FULL, "netns", String.valueOf(lab.inode(peer))).isEmpty(),
                        "nothing is attributed to the peer's namespace");
                assertEquals(1, scrape.value("podnet_probe_up", "probe", "sockbuf"));
            }
        }
    }

    /** The drops column (the last) of the only ping socket in the namespace's /proc/net/icmp. */
    private static long socketDrops(String procNetIcmp) {
        String[] lines = procNetIcmp.strip().split("\n");
        if (lines.length != 2) {
            throw new AssertionError("expected one ping socket in /proc/net/icmp:\n" + procNetIcmp);
        }
        String[] fields = lines[1].strip().split("\\s+");
        return Long.parseLong(fields[fields.length - 1]);
    }
}
