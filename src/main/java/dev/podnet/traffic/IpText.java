package dev.podnet.traffic;

/**
 * Addresses as people and tools ({@code ss}, {@code ip}) write them: IPv4 dotted, IPv6 in the RFC 5952
 * form (lower case, the longest run of two or more zero groups as "::"). IPv4-mapped addresses are
 * written as the IPv4 address they carry, since their packets are IPv4.
 */
final class IpText {
    private static final long MAPPED_HIGH = 0L;
    private static final long MAPPED_LOW_PREFIX = 0x0000_ffffL;

    private IpText() {
    }

    static String format(long high, long low) {
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
}
