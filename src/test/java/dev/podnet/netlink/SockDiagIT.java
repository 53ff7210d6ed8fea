package dev.podnet.netlink;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import dev.podnet.netns.Netns;
import dev.podnet.netns.NetnsEnterer;
import dev.podnet.testing.NetnsLab;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The one-walk TCPDIAG_GETSOCK dump against the per-family SOCK_DIAG_BY_FAMILY dumps, on a real kernel. */
class SockDiagIT {
    @BeforeAll
    static void root() {
        NetnsLab.assumeKernelLab();
    }

    @Test
    void oneWalkForBothFamiliesAgreesWithOneDumpPerFamily() throws Exception {
        List<AutoCloseable> open = new ArrayList<>();
        try (NetnsLab lab = new NetnsLab(); NetnsEnterer enterer = new NetnsEnterer(Path.of("/proc"))) {
            String ns = lab.add("diag");
            lab.inNetns(ns, () -> {
                ServerSocketChannel v4 = ServerSocketChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress("127.0.0.1", 0));
                ServerSocketChannel v6 = ServerSocketChannel.open(StandardProtocolFamily.INET6).bind(new InetSocketAddress("::1", 0));
                open.add(v4);
                open.add(v6);
                for (int i = 0; i < 3; i++) {
                    open.add(SocketChannel.open(v4.getLocalAddress()));
                }
                for (int i = 0; i < 5; i++) {
                    open.add(SocketChannel.open(v6.getLocalAddress()));
                }
                return null;
            });
            Netns netns = new Netns(lab.inode(ns), ns, List.of(), Path.of("/run/netns", ns), false);
            TcpSummary oneWalk;
            TcpSummary perFamily;
            try (NetlinkSocket socket = NetlinkSocket.openIn(enterer, netns, NetlinkSocket.NETLINK_SOCK_DIAG)) {
                oneWalk = SockDiag.tcpSummary(socket);
                perFamily = SockDiag.tcpSummaryByFamily(socket);
            }
            // 8 connections, none accepted: both ends established, the server ends still in the accept queues
            assertEquals(16, oneWalk.sockets(TcpState.ESTABLISHED));
            assertEquals(2, oneWalk.sockets(TcpState.LISTEN));
            assertEquals(8, oneWalk.acceptQueue());
            assertArrayEquals(perFamily.sockets(), oneWalk.sockets());
            assertEquals(perFamily.acceptQueue(), oneWalk.acceptQueue());
        } finally {
            for (AutoCloseable c : open.reversed()) {
                c.close();
            }
        }
    }

    @Test
    void noSocketIsOpenedWhereSockstatShowsNoTcpSocket() throws Exception {
        try (NetnsLab lab = new NetnsLab(); NetnsEnterer enterer = new NetnsEnterer(Path.of("/proc"))) {
            String empty = lab.add("notcp");
            Netns netns = new Netns(lab.inode(empty), empty, List.of(), Path.of("/run/netns", empty), false);
            assertNull(NetlinkSocket.openIn(enterer, netns, NetlinkSocket.NETLINK_SOCK_DIAG, TcpSocketPresence::anyHere));
            try (ServerSocketChannel listener = lab.inNetns(empty,
                    () -> ServerSocketChannel.open(StandardProtocolFamily.INET6).bind(new InetSocketAddress("::1", 0)));
                 NetlinkSocket socket = NetlinkSocket.openIn(enterer, netns, NetlinkSocket.NETLINK_SOCK_DIAG,
                         TcpSocketPresence::anyHere)) {
                assertNotNull(socket, "an IPv6 listener (TCP6 inuse 1) is a reason to dump");
                assertEquals(1, SockDiag.tcpSummary(socket).sockets(TcpState.LISTEN));
            }
        }
    }
}
