package dev.podnet.probe.bpf;

import dev.podnet.probe.IpText;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The fields and message pieces the BPF probes' events share: the tuple of a {@link KernelEventRecord} as
 * {@code protocol, family, saddr, sport, daddr, dport}. An IPv4 address mapped into an IPv6 socket
 * ({@code ::ffff:10.0.0.1}, what a dual-stack socket talking IPv4 holds) is reported as the IPv4 address,
 * and the family as ipv4. IPv6 addresses are written as RFC 5952 says (as ss and ip write them).
 */
final class KernelEventFields {
    private static final int IPPROTO_ICMP = 1;
    private static final int IPPROTO_TCP = 6;
    private static final int IPPROTO_UDP = 17;
    private static final int IPPROTO_ICMPV6 = 58;
    private static final int IPPROTO_SCTP = 132;

    private KernelEventFields() {
    }

    /** A new field map with the record's tuple, when it has one. */
    static Map<String, Object> tuple(KernelEventRecord r) {
        Map<String, Object> fields = new LinkedHashMap<>();
        if (r.protocol() != 0) {
            fields.put("protocol", protocol(r.protocol()));
        }
        if (!r.hasAddresses()) {
            return fields;
        }
        boolean v4 = r.family() == KernelEventRecord.AF_INET || mappedOrUnspecified(r.saddr()) && mappedOrUnspecified(r.daddr())
                && !(isZero(r.saddr()) && isZero(r.daddr()));
        fields.put("family", v4 ? "ipv4" : "ipv6");
        fields.put("saddr", address(r.family(), r.saddr(), v4));
        if (r.sport() != 0 || hasPorts(r.protocol())) {
            fields.put("sport", r.sport());
        }
        fields.put("daddr", address(r.family(), r.daddr(), v4));
        if (r.dport() != 0 || hasPorts(r.protocol())) {
            fields.put("dport", r.dport());
        }
        return fields;
    }

    /** "10.0.0.1:80", "[fd00::1]:80", or the address alone when the record has no ports. */
    static String endpoint(Map<String, Object> fields, String side) {
        Object address = fields.get(side + "addr");
        Object port = fields.get(side + "port");
        if (address == null) {
            return "?";
        }
        String host = address.toString().contains(":") && port != null ? "[" + address + "]" : address.toString();
        return port == null ? host : host + ":" + port;
    }

    static String protocol(int protocol) {
        return switch (protocol) {
            case IPPROTO_TCP -> "tcp";
            case IPPROTO_UDP -> "udp";
            case IPPROTO_ICMP -> "icmp";
            case IPPROTO_ICMPV6 -> "icmpv6";
            case IPPROTO_SCTP -> "sctp";
            default -> Integer.toString(protocol);
        };
    }

    private static boolean hasPorts(int protocol) {
        return protocol == IPPROTO_TCP || protocol == IPPROTO_UDP;
    }

    private static String address(int family, byte[] a, boolean v4) {
        if (family == KernelEventRecord.AF_INET) {
            return ipv4(a, 0);
        }
        return v4 ? ipv4(a, 12) : ipv6(a);
    }

    private static String ipv4(byte[] a, int from) {
        return (a[from] & 0xff) + "." + (a[from + 1] & 0xff) + "." + (a[from + 2] & 0xff) + "." + (a[from + 3] & 0xff);
    }

    /** ::ffff:a.b.c.d, or :: (a socket not connected yet). */
    private static boolean mappedOrUnspecified(byte[] a) {
        for (int i = 0; i < 10; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return (a[10] == (byte) 0xff && a[11] == (byte) 0xff) || isZero(a);
    }

    private static boolean isZero(byte[] a) {
        for (byte b : a) {
            if (b != 0) {
                return false;
            }
        }
        return true;
    }

    /** RFC 5952: lower case, no leading zeros, the longest run (of two or more) of zero groups as ::. */
    static String ipv6(byte[] a) {
        return IpText.ipv6(a);
    }

    /** Seconds from nanoseconds, as latency_seconds. */
    static double seconds(long nanos) {
        return nanos / 1e9;
    }

    /** "12.3 ms", "850 µs": a latency as messages say it. */
    static String duration(long nanos) {
        if (nanos >= 1_000_000_000L) {
            return String.format(java.util.Locale.ROOT, "%.2f s", nanos / 1e9);
        }
        if (nanos >= 1_000_000L) {
            return String.format(java.util.Locale.ROOT, "%.1f ms", nanos / 1e6);
        }
        if (nanos >= 1000L) {
            return String.format(java.util.Locale.ROOT, "%.1f µs", nanos / 1e3);
        }
        return nanos + " ns";
    }
}
