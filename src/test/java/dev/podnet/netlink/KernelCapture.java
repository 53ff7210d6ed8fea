package dev.podnet.netlink;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Not a test: records the raw datagrams the kernel sends for our dump requests, as the fixtures under
 * src/test/resources/netlink. Run as root inside a scratch namespace prepared as the fixture files
 * describe ({@code ip netns exec X java -cp target/classes:target/test-classes dev.podnet.netlink.KernelCapture DIR}).
 * It opens the TCP sockets the sock_diag fixtures expect itself.
 */
public final class KernelCapture {
    private KernelCapture() {
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        List<AutoCloseable> keep = new ArrayList<>();
        ServerSocketChannel v4 = ServerSocketChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress("127.0.0.1", 0));
        ServerSocketChannel v6 = ServerSocketChannel.open(StandardProtocolFamily.INET6).bind(new InetSocketAddress("::1", 0));
        keep.add(v4);
        keep.add(v6);
        for (int i = 0; i < 2; i++) {
            SocketChannel c = SocketChannel.open(StandardProtocolFamily.INET);
            c.connect(v4.getLocalAddress());
            keep.add(c);
            keep.add(v4.accept());
            if (i == 0) {
                c.write(ByteBuffer.allocate(100)); // never read: 100 bytes in the accepted socket's receive queue
            }
        }
        SocketChannel c6 = SocketChannel.open(StandardProtocolFamily.INET6);
        c6.connect(v6.getLocalAddress());
        keep.add(c6);
        keep.add(v6.accept());
        Thread.sleep(200);

        capture(NetlinkSocket.NETLINK_SOCK_DIAG, SockDiag.TCP_DUMP, SockDiag.tcpRequest(SockDiag.AF_INET, TcpState.ALL_MASK),
                dir.resolve("sock_diag_tcp4.hex"));
        capture(NetlinkSocket.NETLINK_SOCK_DIAG, SockDiag.TCP_DUMP, SockDiag.tcpRequest(SockDiag.AF_INET6, TcpState.ALL_MASK),
                dir.resolve("sock_diag_tcp6.hex"));
        capture(NetlinkSocket.NETLINK_SOCK_DIAG, SockDiag.TCP_COMPAT_DUMP, SockDiag.compatTcpRequest(TcpState.ALL_MASK),
                dir.resolve("tcpdiag_getsock.hex"));
        capture(NetlinkSocket.NETLINK_ROUTE, Rtnetlink.QDISC_DUMP, new byte[Rtnetlink.TCMSG_BYTES], dir.resolve("rtm_qdisc.hex"));
        capture(NetlinkSocket.NETLINK_ROUTE, Rtnetlink.LINK_DUMP, new byte[Rtnetlink.IFINFOMSG_BYTES], dir.resolve("rtm_link.hex"));
        for (AutoCloseable c : keep.reversed()) {
            c.close();
        }
    }

    /** One dump with sequence number 1, each received datagram as one hex line. */
    private static void capture(int protocol, NetlinkMessages.DumpKind kind, byte[] payload, Path file) throws Exception {
        int fd = NetlinkCalls.socket(protocol);
        List<String> lines = new ArrayList<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = NetlinkCalls.callState(arena);
            byte[] request = NetlinkMessages.dumpRequest(kind, 1, payload);
            NetlinkCalls.send(fd, arena.allocateFrom(ValueLayout.JAVA_BYTE, request), state, kind.requestName());
            MemorySegment buffer = arena.allocate(32 * 1024);
            boolean done = false;
            while (!done) {
                long n = NetlinkCalls.receive(fd, buffer, state, kind.requestName());
                MemorySegment datagram = buffer.asSlice(0, n);
                lines.add(HexFormat.of().formatHex(datagram.toArray(ValueLayout.JAVA_BYTE)));
                done = NetlinkMessages.walk(datagram, kind, 1, p -> { });
            }
        } finally {
            NetlinkCalls.close(fd);
        }
        Files.write(file, lines);
    }
}
