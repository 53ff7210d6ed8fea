package dev.podnet.probe;

import java.net.Inet6Address;
import java.net.InetAddress;

/**
 * Addresses as people and tools ({@code ss}, {@code ip}) write them: IPv4 dotted, IPv6 in the RFC 5952
 * form (lower case, the longest run of two or more zero groups as "::"). IPv4-mapped addresses are
 * written as the IPv4 address they carry, since their packets are IPv4.
 */
public final class IpText {
    private static final long MAPPED_HIGH = 0L;
    private static final long MAPPED_LOW_PREFIX = 0x0000_ffffL;

    private IpText() {
    }

    /** An address held as two big-endian halves of IPv6 (IPv4 as IPv4-mapped). */
    public static String format(long high, long low) {
        if (high == MAPPED_HIGH && (low >>> 32) == MAPPED_LOW_PREFIX) {
            return ((low >>> 24) & 0xff) + "." + ((low >>> 16) & 0xff) + "." + ((low >>> 8) & 0xff) + "." + (low & 0xff);
        }
        int[] groups = new int[8];
        for (int i = 0; i < 4; i++) {
            groups[i] = (int) (high >>> (48 - 16 * i)) & 0xffff;
            groups[4 + i] = (int) (low >>> (48 - 16 * i)) & 0xffff;
        }
        int bestStart = -1;
        int bestLength = 1; // a single zero group is not compressed
        for (int i = 0; i < 8; ) {
            if (groups[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && groups[j] == 0) {
                j++;
            }
            if (j - i > bestLength) {
                bestStart = i;
                bestLength = j - i;
            }
            i = j;
        }
        StringBuilder text = new StringBuilder(39);
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                text.append("::");
                i += bestLength - 1;
                continue;
            }
            if (!text.isEmpty() && text.charAt(text.length() - 1) != ':') {
                text.append(':');
            }
            text.append(Integer.toHexString(groups[i]));
        }
        return text.toString();
    }

    /** 16 bytes of IPv6 (IPv4-mapped ones as IPv4). */
    public static String ipv6(byte[] address) {
        java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(address);
        return format(b.getLong(), b.getLong());
    }

    /** The address without a zone: IPv4 dotted, IPv6 in the RFC 5952 form. */
    public static String literal(InetAddress address) {
        return address instanceof Inet6Address ? ipv6(address.getAddress()) : address.getHostAddress();
    }
}
