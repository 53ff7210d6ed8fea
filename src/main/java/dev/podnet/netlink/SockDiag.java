package dev.podnet.netlink;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * TCP socket dumps through NETLINK_SOCK_DIAG.
 *
 * <p>Cost: a TCP dump walks the kernel's whole established and listening hash tables, which all
 * namespaces share (262144 buckets on a 24 GB host), and skips the sockets of other namespaces. A
 * {@code SOCK_DIAG_BY_FAMILY} request ({@code inet_diag_req_v2}) names one family, so IPv4 and IPv6 cost
 * two walks. The older {@code TCPDIAG_GETSOCK} request ({@code struct inet_diag_req}), still served by
 * every kernel, dumps with family AF_UNSPEC: both families in one walk. We use that, and fall back to the
 * two v2 dumps if a kernel ever refuses it.
 */
public final class SockDiag {
    public static final int AF_INET = 2;
    public static final int AF_INET6 = 10;
    static final int IPPROTO_TCP = 6;
    static final int SOCK_DIAG_BY_FAMILY = 20;
    static final int TCPDIAG_GETSOCK = 18;
    static final NetlinkMessages.DumpKind TCP_DUMP = new NetlinkMessages.DumpKind(
            SOCK_DIAG_BY_FAMILY, "SOCK_DIAG_BY_FAMILY", SOCK_DIAG_BY_FAMILY, "SOCK_DIAG_BY_FAMILY");
    static final NetlinkMessages.DumpKind TCP_COMPAT_DUMP = new NetlinkMessages.DumpKind(
            TCPDIAG_GETSOCK, "TCPDIAG_GETSOCK", TCPDIAG_GETSOCK, "TCPDIAG_GETSOCK");
    /** sizeof(struct inet_diag_req_v2) and sizeof(struct inet_diag_req). */
    static final int REQUEST_BYTES = 56;
    static final int COMPAT_REQUEST_BYTES = 60;
    private static final int ENOENT = 2;
    private static final int EINVAL = 22;
    private static final int EOPNOTSUPP = 95;

    private static volatile boolean compatRefused;

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

    /**
     * The {@code struct inet_diag_req} of a TCPDIAG_GETSOCK dump: family, src/dst prefix lengths, ext,
     * the 48-byte socket id, then states and dbs. The kernel dumps it with family AF_UNSPEC.
     */
    public static byte[] compatTcpRequest(int stateMask) {
        ByteBuffer b = ByteBuffer.allocate(COMPAT_REQUEST_BYTES).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) AF_INET).put((byte) 0).put((byte) 0).put((byte) 0);
        b.putInt(52, stateMask);
        return b.array();
    }

    /** All TCP sockets of the socket's namespace, IPv4 and IPv6 (a dual-stack socket is listed once, as IPv6). */
    public static TcpSummary tcpSummary(NetlinkSocket socket) throws IOException {
        if (!compatRefused) {
            TcpSummary.Builder summary = new TcpSummary.Builder();
            try {
                socket.dump(TCP_COMPAT_DUMP, compatTcpRequest(TcpState.ALL_MASK), handler(summary, TCP_COMPAT_DUMP));
                return summary.build();
            } catch (NetlinkException e) {
                if (e.errno() != EINVAL && e.errno() != ENOENT && e.errno() != EOPNOTSUPP) {
                    throw e;
                }
                compatRefused = true;
            }
        }
        return tcpSummaryByFamily(socket);
    }

    /** The same summary from one SOCK_DIAG_BY_FAMILY dump per family (two walks of the hash tables). */
    public static TcpSummary tcpSummaryByFamily(NetlinkSocket socket) throws IOException {
        TcpSummary.Builder summary = new TcpSummary.Builder();
        socket.dump(TCP_DUMP, tcpRequest(AF_INET, TcpState.ALL_MASK), handler(summary, TCP_DUMP));
        try {
            socket.dump(TCP_DUMP, tcpRequest(AF_INET6, TcpState.ALL_MASK), handler(summary, TCP_DUMP));
        } catch (NetlinkException e) {
            if (e.errno() != ENOENT) {
                throw e;
            }
            // no IPv6 in this kernel (ipv6.disable=1): no handler for AF_INET6, hence no IPv6 sockets either
        }
        return summary.build();
    }

    static NetlinkMessages.Handler handler(TcpSummary.Builder summary, NetlinkMessages.DumpKind kind) {
        return payload -> summary.add(payload, kind.replyName());
    }
}
