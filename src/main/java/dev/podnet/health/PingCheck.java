package dev.podnet.health;

import java.io.IOException;
import java.net.Inet6Address;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * ICMP echo over a raw socket (CAP_NET_RAW), one socket per check. The socket is connected to the target,
 * which makes the kernel deliver only the target's packets to it, and filtered to echo replies, so that
 * checks of many targets at once do not each receive every other target's replies. The identifier is
 * random per check: raw sockets, unlike ping sockets, leave it to us, and a reply to an earlier, timed
 * out check must not count for this one.
 */
final class PingCheck {
    private static final byte[] PAYLOAD = "podnet health check".getBytes(StandardCharsets.US_ASCII);

    private PingCheck() {
    }

    static CheckOutcome run(HealthTarget target, CheckRun run) throws IOException {
        boolean v6 = target.address() instanceof Inet6Address;
        String what = v6 ? "AF_INET6, SOCK_RAW, IPPROTO_ICMPV6" : "AF_INET, SOCK_RAW, IPPROTO_ICMP";
        int fd = run.origin().open(() -> SocketCalls.socket(v6 ? SocketCalls.AF_INET6 : SocketCalls.AF_INET,
                SocketCalls.SOCK_RAW, v6 ? SocketCalls.IPPROTO_ICMPV6 : SocketCalls.IPPROTO_ICMP, what));
        try (RawSocket socket = new RawSocket(fd, what)) {
            if (v6) {
                socket.setOption(SocketCalls.SOL_ICMPV6, SocketCalls.ICMP6_FILTER, "ICMP6_FILTER",
                        blockAllBut(8, IcmpPackets.ICMPV6_ECHO_REPLY));
            } else {
                socket.setOption(SocketCalls.SOL_RAW, SocketCalls.ICMP_FILTER, "ICMP_FILTER",
                        blockAllBut(1, IcmpPackets.ICMP_ECHO_REPLY));
            }
            socket.connect(target.address());
            int id = ThreadLocalRandom.current().nextInt(0x10000);
            int sequence = run.sequence() & 0xffff;
            long start = System.nanoTime();
            socket.send(IcmpPackets.echoRequest(v6, id, sequence, PAYLOAD));
            byte[] in = new byte[2048];
            while (socket.awaitReadable(run.deadlineNanos(), run.stopped())) {
                for (int n = socket.receive(in); n >= 0; n = socket.receive(in)) {
                    if (IcmpPackets.isEchoReply(v6, in, n, id, sequence)) {
                        return CheckOutcome.healthy(start);
                    }
                }
            }
            return CheckOutcome.noAnswer("no echo reply from " + Addresses.literal(target.address()) + " in time");
        }
    }

    /**
     * An ICMP_FILTER / ICMP6_FILTER value: a bit set per message type blocks that type (32 types for
     * IPv4, 256 for ICMPv6), host-order 32-bit words.
     */
    static byte[] blockAllBut(int words, int type) {
        ByteBuffer b = ByteBuffer.allocate(4 * words).order(ByteOrder.nativeOrder());
        for (int w = 0; w < words; w++) {
            b.putInt(w == type >> 5 ? ~(1 << (type & 31)) : -1);
        }
        return b.array();
    }
}
