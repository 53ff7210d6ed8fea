package dev.podnet.probe.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.TestAgent;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
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
 *
 * <p>sock:sock_exceed_buf_limit fires when a socket memory allocation is refused: by the protocol's
 * global limit (tcp_mem, udp_mem: host-wide, not something a test may lower) or by the socket's memory
 * cgroup. The second test uses the latter, with a cgroup of its own.
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

    /**
     * A TCP connection whose receiving end belongs to a process in a memory cgroup with a 64 KiB socket
     * memory limit, and which never reads: the data sent to it soon needs more receive memory than the
     * cgroup allows. Each refused charge fires the tracepoint with kind "receive", in the receiving
     * socket's namespace, and TCP drops the segment it could not queue (TcpExt TCPRcvQDrop). TCP tries
     * to charge a segment again after pruning its queue, so a dropped segment is one refusal or more:
     * podnet's count is at least the drops. (The cgroup's own memory.kmem.tcp.failcnt would be the exact
     * reference, but kernels since 6.13 no longer count it.)
     */
    @Test
    void socketMemoryRefusedByTheCgroupLimitIsCountedInTheReceiversNamespace() throws Exception {
        SocketMemoryCgroup.assumeAvailable();
        long limit = 64 * 1024;
        try (SocketMemoryCgroup cgroup = new SocketMemoryCgroup(limit);
             NetnsLab lab = new NetnsLab();
             TestAgent agent = TestAgent.start("probes: [sockbuf]\nprobeDeadline: 60s\n")) {
            String reader = lab.add("reader");
            String writer = lab.add("writer");
            lab.veth(reader, "10.243.2.1/24", writer, "10.243.2.2/24");
            try (ServerSocketChannel server = lab.inNetns(writer,
                    () -> ServerSocketChannel.open().bind(new InetSocketAddress("10.243.2.2", 0)))) {
                int port = ((InetSocketAddress) server.getLocalAddress()).getPort();
                // The shell joins the cgroup before bash creates the socket (a socket is charged to the
                // cgroup of the process that creates it); bash hands the connection to sleep, which
                // never reads. Every exec keeps the pid, so destroying the process closes the socket.
                // nsenter rather than `ip netns exec`, which mounts a fresh /sys and so hides the cgroup.
                Process unreadEnd = new ProcessBuilder("sh", "-c", "echo $$ > " + cgroup.procsFile()
                        + " && exec nsenter --net=/run/netns/" + reader
                        + " bash -c 'exec 3<>/dev/tcp/10.243.2.2/" + port + " && exec sleep 120'")
                        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
                AutoCloseable killUnreadEnd = unreadEnd::destroyForcibly; // also when the test fails
                try (killUnreadEnd; SocketChannel connection = accept(server, Duration.ofSeconds(10))) {
                    connection.configureBlocking(false);
                    ByteBuffer chunk = ByteBuffer.allocate(64 * 1024);
                    Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
                    while (rcvQueueDrops(lab, reader) < 3 && Instant.now().isBefore(deadline)) {
                        chunk.clear();
                        if (connection.write(chunk) == 0) {
                            Thread.sleep(20); // the window is closed: retransmissions keep knocking
                        }
                    }
                    unreadEnd.destroyForcibly(); // the socket closes: no more charges after this
                    unreadEnd.waitFor();
                }
                long drops = rcvQueueDrops(lab, reader);
                long peak = cgroup.peakSocketMemoryBytes();
                String readerInode = String.valueOf(lab.inode(reader));
                double counted = -1;
                Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
                while (Instant.now().isBefore(deadline)) {
                    counted = agent.scrape().maybe(SockBufProbe.EXCEED_BUF_LIMIT, "netns", readerInode,
                            "protocol", "tcp", "kind", "receive").orElse(0.0);
                    if (counted >= drops && drops > 0) {
                        break;
                    }
                    Thread.sleep(100);
                }
                System.out.println("TCPRcvQDrop " + drops + ", cgroup socket memory peak " + peak + " of " + limit
                        + " bytes, podnet " + counted);
                assertTrue(drops >= 3, "TCP dropped segments for want of memory, TCPRcvQDrop says " + drops);
                assertTrue(peak >= limit - 4096, "the cgroup's socket memory reached its limit: peak " + peak);
                assertTrue(counted >= drops, "podnet counts a refusal for every segment dropped for memory: "
                        + counted + " < " + drops);
                Scrape scrape = agent.scrape();
                assertTrue(scrape.find(SockBufProbe.EXCEED_BUF_LIMIT, "netns", String.valueOf(lab.inode(writer))).isEmpty(),
                        "nothing is attributed to the writer's namespace");
            }
        }
    }

    /** TcpExt TCPRcvQDrop of a namespace: segments TCP dropped because it could not get receive memory. */
    private static long rcvQueueDrops(NetnsLab lab, String ns) {
        return BpfProbeLab.tcpExt(lab, ns, "TCPRcvQDrop");
    }

    private static SocketChannel accept(ServerSocketChannel server, Duration timeout) throws Exception {
        server.configureBlocking(false);
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            SocketChannel accepted = server.accept();
            if (accepted != null) {
                return accepted;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("bash in the cgroup did not connect within " + timeout);
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
