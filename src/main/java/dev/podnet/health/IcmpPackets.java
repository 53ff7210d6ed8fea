package dev.podnet.health;

/**
 * ICMP and ICMPv6 echo messages, pure: built into and read from byte arrays, so they are tested without a
 * socket. An IPv4 raw socket hands us the IP header before the ICMP message; an ICMPv6 raw socket does
 * not, and the kernel fills in the ICMPv6 checksum itself (it covers a pseudo-header only it knows).
 */
final class IcmpPackets {
    static final int ICMP_ECHO_REPLY = 0;
    static final int ICMP_ECHO_REQUEST = 8;
    static final int ICMPV6_ECHO_REQUEST = 128;
    static final int ICMPV6_ECHO_REPLY = 129;
    static final int HEADER_BYTES = 8;

    private IcmpPackets() {
    }

    /** An echo request: type, code 0, checksum (IPv4 only; 0 for the kernel to fill in IPv6), id, sequence, payload. */
    static byte[] echoRequest(boolean v6, int id, int sequence, byte[] payload) {
        byte[] m = new byte[HEADER_BYTES + payload.length];
        m[0] = (byte) (v6 ? ICMPV6_ECHO_REQUEST : ICMP_ECHO_REQUEST);
        putU16(m, 4, id);
        putU16(m, 6, sequence);
        System.arraycopy(payload, 0, m, HEADER_BYTES, payload.length);
        if (!v6) {
            putU16(m, 2, checksum(m, 0, m.length));
        }
        return m;
    }

    /**
     * Whether {@code packet} (its first {@code length} bytes, as received on the raw socket) is the echo
     * reply with this id and sequence.
     */
    static boolean isEchoReply(boolean v6, byte[] packet, int length, int id, int sequence) {
        int at = 0;
        if (!v6) {
            if (length < 20 || (packet[0] >> 4 & 0xf) != 4) {
                return false;
            }
            at = (packet[0] & 0xf) * 4; // IHL, in 32-bit words: options make the header longer than 20
        }
        if (length - at < HEADER_BYTES) {
            return false;
        }
        int type = packet[at] & 0xff;
        return type == (v6 ? ICMPV6_ECHO_REPLY : ICMP_ECHO_REPLY) && packet[at + 1] == 0
                && u16(packet, at + 4) == id && u16(packet, at + 6) == sequence;
    }

    /** The Internet checksum (RFC 1071): the ones' complement of the ones' complement sum of 16-bit words. */
    static int checksum(byte[] data, int offset, int length) {
        long sum = 0;
        int i = offset;
        int end = offset + length;
        for (; i + 1 < end; i += 2) {
            sum += u16(data, i);
        }
        if (i < end) {
            sum += (data[i] & 0xff) << 8; // an odd last byte is padded with a zero byte
        }
        while ((sum >> 16) != 0) {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        return (int) (~sum & 0xffff);
    }

    static int u16(byte[] b, int at) {
        return (b[at] & 0xff) << 8 | (b[at + 1] & 0xff);
    }

    static void putU16(byte[] b, int at, int value) {
        b[at] = (byte) (value >> 8);
        b[at + 1] = (byte) value;
    }
}
