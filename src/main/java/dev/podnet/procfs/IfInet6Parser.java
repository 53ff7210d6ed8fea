package dev.podnet.procfs;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * Parses {@code /proc/net/if_inet6}: one IPv6 address per line, as the kernel prints it with
 * {@code "%pi6 %02x %02x %02x %02x %8s"}: 32 hex digits of address, interface index, prefix length,
 * scope and flags (all hex), and the device name.
 */
public final class IfInet6Parser {
    private IfInet6Parser() {
    }

    /** One configured address. {@code flags} are IFA_F_* bits, e.g. 0x40 tentative (duplicate address detection running). */
    public record Address(InetAddress address, int ifindex, int prefixLength, int scope, int flags, String device) {
    }

    public record Addresses(List<Address> addresses, int malformedLines) {
    }

    public static Addresses parse(String text) {
        List<Address> addresses = new ArrayList<>();
        int malformed = 0;
        for (String line : ProcText.lines(text)) {
            String[] f = ProcText.fields(line);
            if (f.length != 6 || f[0].length() != 32) {
                malformed++;
                continue;
            }
            try {
                byte[] bytes = HexFormat.of().parseHex(f[0]);
                addresses.add(new Address(InetAddress.getByAddress(bytes), Integer.parseInt(f[1], 16),
                        Integer.parseInt(f[2], 16), Integer.parseInt(f[3], 16), Integer.parseInt(f[4], 16), f[5]));
            } catch (IllegalArgumentException | UnknownHostException e) {
                malformed++; // not hex (NumberFormatException is an IllegalArgumentException)
            }
        }
        return new Addresses(addresses, malformed);
    }
}
