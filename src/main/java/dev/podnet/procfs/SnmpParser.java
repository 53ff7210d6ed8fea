package dev.podnet.procfs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Parses the kernel's MIB files that come as pairs of lines, {@code /proc/net/snmp} and
 * {@code /proc/net/netstat}: a header line {@code Group: Name1 Name2 ...} followed by a value line
 * {@code Group: v1 v2 ...}. Nothing about the groups or fields is assumed, so fields that newer kernels
 * add or older ones lack just come and go. A group may repeat (the kernel splits {@code IcmpMsg} into
 * lines of 16 fields, and prints it only for message types seen).
 *
 * <p>A value line that does not match its header (other group, other count, not numbers) is skipped
 * together with that header, and both lines are counted as malformed.
 */
public final class SnmpParser {
    /** Distinct header lines are few (one set per kernel build); the bound only guards against garbage. */
    private static final int HEADER_CACHE_LIMIT = 512;
    private static final ConcurrentHashMap<String, Header> HEADERS = new ConcurrentHashMap<>();

    private SnmpParser() {
    }

    /**
     * The group and field names of one header line. Equal header lines give the same instance (up to a
     * bound), and equality is identity, so callers can cache per-field work keyed on it.
     */
    public static final class Header {
        private final String group;
        private final List<String> fields;

        Header(String group, List<String> fields) {
            this.group = group;
            this.fields = fields;
        }

        /** The group as the kernel prints it: {@code Tcp}, {@code TcpExt}, {@code IcmpMsg}. */
        public String group() {
            return group;
        }

        /** The kernel's field names in file order: {@code ActiveOpens}, {@code ListenOverflows}. */
        public List<String> fields() {
            return fields;
        }

        @Override
        public String toString() {
            return group + ": " + fields;
        }
    }

    /** One header/value pair: {@code values[i]} belongs to {@code header.fields().get(i)}. */
    public record Section(Header header, double[] values) {
        public String group() {
            return header.group();
        }

        /** The value of a field, or NaN when this section lacks it. */
        public double value(String field) {
            int i = header.fields().indexOf(field);
            return i < 0 ? Double.NaN : values[i];
        }

        @Override
        public String toString() {
            return header + " = " + Arrays.toString(values);
        }
    }

    public record Snmp(List<Section> sections, int malformedLines) {
        /** A field's value in the first section of the group that has it, or NaN. */
        public double value(String group, String field) {
            for (Section s : sections) {
                if (s.group().equals(group)) {
                    double v = s.value(field);
                    if (!Double.isNaN(v)) {
                        return v;
                    }
                }
            }
            return Double.NaN;
        }
    }

    public static Snmp parse(String text) {
        List<Section> sections = new ArrayList<>();
        int malformed = 0;
        Header pending = null;
        int pos = 0;
        int length = text.length();
        while (pos < length) {
            int end = ProcScan.lineEnd(text, pos);
            int start = ProcScan.skipSpaces(text, pos, end);
            pos = end + 1;
            if (start == end) {
                continue;
            }
            int colon = ProcScan.indexOf(text, ':', start, end);
            if (colon <= start || ProcScan.tokenEnd(text, start, colon) != colon) {
                malformed++; // no "Group:" prefix
                continue;
            }
            int first = ProcScan.skipSpaces(text, colon + 1, end);
            boolean ofPending = pending != null && pending.group.length() == colon - start
                    && text.regionMatches(start, pending.group, 0, colon - start);
            boolean numbers = first < end && startsNumber(text.charAt(first));
            if (!ofPending && numbers) {
                malformed += pending != null ? 2 : 1; // values without their header, and a header without values
                pending = null;
                continue;
            }
            if (!ofPending || (!numbers && first < end)) {
                if (pending != null) {
                    malformed++; // a header without its value line
                }
                pending = header(text, start, colon, end);
                continue;
            }
            double[] values = values(text, first, end, pending.fields.size());
            if (values == null) {
                malformed += 2;
            } else {
                sections.add(new Section(pending, values));
            }
            pending = null;
        }
        if (pending != null) {
            malformed++;
        }
        return new Snmp(sections, malformed);
    }

    private static boolean startsNumber(char c) {
        return (c >= '0' && c <= '9') || c == '-';
    }

    private static Header header(String text, int start, int colon, int end) {
        String line = text.substring(start, end);
        Header known = HEADERS.get(line);
        if (known != null) {
            return known;
        }
        List<String> fields = new ArrayList<>();
        int i = ProcScan.skipSpaces(text, colon + 1, end);
        while (i < end) {
            int e = ProcScan.tokenEnd(text, i, end);
            fields.add(text.substring(i, e));
            i = ProcScan.skipSpaces(text, e, end);
        }
        Header header = new Header(text.substring(start, colon), List.copyOf(fields));
        if (HEADERS.size() < HEADER_CACHE_LIMIT) {
            Header raced = HEADERS.putIfAbsent(line, header);
            return raced != null ? raced : header;
        }
        return header;
    }

    /** The numbers of a value line, or null when they are not exactly {@code expected} integers. */
    private static double[] values(String text, int from, int end, int expected) {
        double[] values = new double[expected];
        int n = 0;
        int i = from;
        while (i < end) {
            int e = ProcScan.tokenEnd(text, i, end);
            if (n == expected) {
                return null;
            }
            try {
                values[n++] = ProcScan.parseDecimal(text, i, e);
            } catch (NumberFormatException ex) {
                return null;
            }
            i = ProcScan.skipSpaces(text, e, end);
        }
        return n == expected ? values : null;
    }
}
