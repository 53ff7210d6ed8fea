package dev.podnet.probe.bpf;

import java.util.Map;

/**
 * Names the socket kind that sockbuf.bpf.c packs into a label: family (8 bits) &lt;&lt; 20, type
 * (4 bits) &lt;&lt; 16, protocol (16 bits), and for sock_exceed_buf_limit the kind (send/receive)
 * &lt;&lt; 28. The protocol label is what an operator recognises: tcp, udp, raw, icmp (ping sockets),
 * ...; sockets of other families are named after the family (can, packet, ...).
 */
final class SockLabels {
    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int SOCK_RAW = 3;
    private static final Map<Integer, String> IP_PROTOCOLS = Map.of(
            1, "icmp", 6, "tcp", 17, "udp", 58, "icmpv6", 115, "l2tp", 132, "sctp", 136, "udplite", 262, "mptcp");
    private static final Map<Integer, String> FAMILIES = Map.of(
            1, "unix", 16, "netlink", 17, "packet", 29, "can", 31, "bluetooth", 40, "vsock", 44, "xdp");

    private SockLabels() {
    }

    static int family(int label) {
        return (label >>> 20) & 0xff;
    }

    static int type(int label) {
        return (label >>> 16) & 0xf;
    }

    static int protocol(int label) {
        return label & 0xffff;
    }

    /** "send" or "receive" for sock_exceed_buf_limit's kind (SK_MEM_SEND 0, SK_MEM_RECV 1). */
    static String memoryKind(int label) {
        return switch (label >>> 28) {
            case 0 -> "send";
            case 1 -> "receive";
            default -> "unknown";
        };
    }

    /** The protocol label value of a packed socket label. */
    static String protocolName(int label) {
        int family = family(label);
        if (family == AF_INET || family == AF_INET6) {
            if (type(label) == SOCK_RAW) {
                return "raw";
            }
            int protocol = protocol(label);
            return IP_PROTOCOLS.getOrDefault(protocol, "ip" + protocol);
        }
        return FAMILIES.getOrDefault(family, "af" + family);
    }
}
