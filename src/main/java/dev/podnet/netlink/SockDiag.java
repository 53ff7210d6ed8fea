package dev.podnet.netlink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** TCP socket dumps through NETLINK_SOCK_DIAG ({@code inet_diag_req_v2}, SOCK_DIAG_BY_FAMILY). */
public final class SockDiag {
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    static final int IPPROTO_TCP = 6;
    private static final int ENOENT = 2;
    static final int SOCK_DIAG_BY_FAMILY = 20;
    static final NetlinkMessages.DumpKind TCP_DUMP = new NetlinkMessages.DumpKind(
            SOCK_DIAG_BY_FAMILY, "SOCK_DIAG_BY_FAMILY", SOCK_DIAG_BY_FAMILY, "SOCK_DIAG_BY_FAMILY");
    /** sizeof(struct inet_diag_req_v2). */
    static final int REQUEST_BYTES = 56;

    private SockDiag() {
    }

    /**
     * The {@code inet_diag_req_v2} for every TCP socket of {@code family} in the given states. No
     * extensions are requested (idiag_ext = 0): the queue lengths are in the fixed part of the answer,
     * and each extension would make every answer larger.
     */
    public static byte[] tcpRequest(int family, int stateMask) {
        ByteBuffer b = ByteBuffer.allocate(REQUEST_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) family).put((byte) IPPROTO_TCP).put((byte) 0).put((byte) 0).putInt(stateMask);
        // inet_diag_sockid stays zero: no filter on ports, addresses, interface or cookie
        return b.array();
    }

    /** All TCP sockets of the socket's namespace, IPv4 and IPv6 (a dual-stack socket is listed once, as IPv6). */
    public static TcpSummary tcpSummary(NetlinkSocket socket) throws IOException {
        TcpSummary.Builder summary = new TcpSummary.Builder();
        socket.dump(TCP_DUMP, tcpRequest(AF_INET, TcpState.ALL_MASK), summary::add);
        try {
            socket.dump(TCP_DUMP, tcpRequest(AF_INET6, TcpState.ALL_MASK), summary::add);
        } catch (NetlinkException e) {
            if (e.errno() != ENOENT) {
                throw e;
            }
            // no IPv6 in this kernel (ipv6.disable=1): no handler for AF_INET6, hence no IPv6 sockets either
        }
        return summary.build();
    }
}
