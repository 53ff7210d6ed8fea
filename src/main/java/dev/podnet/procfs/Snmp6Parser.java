package dev.podnet.procfs;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses {@code /proc/net/snmp6}: one {@code Name value} pair per line ({@code Ip6InReceives 4}). The
 * names carry their group as a prefix ({@code Ip6}, {@code Icmp6}, {@code Udp6}, {@code UdpLite6}); which
 * names appear depends on the kernel ({@code Icmp6InType<n>} only for message types seen), so none is
 * assumed.
 */
public final class Snmp6Parser {
    /** Group prefixes of snmp6 names, longest first so {@code UdpLite6} is not taken for {@code Udp6}. */
    public static final List<String> GROUPS = List.of("UdpLite6", "Icmp6", "Udp6", "Ip6");

    private Snmp6Parser() {
    }

    public record Counter(String name, double value) {
        /** The group prefix of the name ({@code Icmp6}), or "" for a name without a known one. */
        public String group() {
            return groupOf(name);
        }
    }

    public record Snmp6(List<Counter> counters, int malformedLines) {
        /** The value of a counter, or NaN when the file lacks it. */
        public double value(String name) {
            for (Counter c : counters) {
                if (c.name().equals(name)) {
                    return c.value();
                }
            }
            return Double.NaN;
        }
    }

    public static String groupOf(String name) {
        for (String g : GROUPS) {
            if (name.startsWith(g) && name.length() > g.length()) {
                return g;
            }
        }
        return "";
    }

    public static Snmp6 parse(String text) {
        List<Counter> counters = new ArrayList<>(96);
        int malformed = 0;
        int pos = 0;
        while (pos < text.length()) {
            int end = ProcScan.lineEnd(text, pos);
            int start = ProcScan.skipSpaces(text, pos, end);
            pos = end + 1;
            if (start == end) {
                continue;
            }
            int nameEnd = ProcScan.tokenEnd(text, start, end);
            int valueStart = ProcScan.skipSpaces(text, nameEnd, end);
            int valueEnd = ProcScan.tokenEnd(text, valueStart, end);
            if (valueStart == end || ProcScan.skipSpaces(text, valueEnd, end) != end) {
                malformed++; // not exactly two fields
                continue;
            }
            try {
                double value = ProcScan.parseDecimal(text, valueStart, valueEnd);
                counters.add(new Counter(text.substring(start, nameEnd), value));
            } catch (NumberFormatException e) {
                malformed++;
            }
        }
        return new Snmp6(counters, malformed);
    }
}
