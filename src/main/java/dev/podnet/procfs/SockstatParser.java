package dev.podnet.procfs;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses {@code /proc/net/sockstat} and {@code /proc/net/sockstat6}: one line per protocol,
 * {@code GROUP: key value key value ...} ({@code TCP: inuse 1 orphan 0 tw 2 alloc 1 mem 83}). Keys are
 * taken as printed, so kernels that add or drop one need no change.
 */
public final class SockstatParser {
    private SockstatParser() {
    }

    /** One value: {@code group} as printed ({@code TCP}, {@code sockets}), {@code key} ({@code inuse}). */
    public record Entry(String group, String key, double value) {
    }

    public record Sockstat(List<Entry> entries, int malformedLines) {
        /** The value of {@code group key}, or NaN when the file lacks it. */
        public double value(String group, String key) {
            for (Entry e : entries) {
                if (e.group().equals(group) && e.key().equals(key)) {
                    return e.value();
                }
            }
            return Double.NaN;
        }
    }

    public static Sockstat parse(String text) {
        List<Entry> entries = new ArrayList<>(16);
        int malformed = 0;
        int pos = 0;
        while (pos < text.length()) {
            int end = ProcScan.lineEnd(text, pos);
            int start = ProcScan.skipSpaces(text, pos, end);
            pos = end + 1;
            if (start == end) {
                continue;
            }
            int colon = ProcScan.indexOf(text, ':', start, end);
            if (colon <= start || ProcScan.tokenEnd(text, start, colon) != colon) {
                malformed++;
                continue;
            }
            List<Entry> line = pairs(text.substring(start, colon), text, colon + 1, end);
            if (line == null) {
                malformed++;
            } else {
                entries.addAll(line);
            }
        }
        return new Sockstat(entries, malformed);
    }

    /** The key/value pairs after the colon, or null when they are not pairs of a name and an integer. */
    private static List<Entry> pairs(String group, String text, int from, int end) {
        List<Entry> pairs = new ArrayList<>(5);
        int i = ProcScan.skipSpaces(text, from, end);
        while (i < end) {
            int keyEnd = ProcScan.tokenEnd(text, i, end);
            int valueStart = ProcScan.skipSpaces(text, keyEnd, end);
            if (valueStart == end) {
                return null;
            }
            int valueEnd = ProcScan.tokenEnd(text, valueStart, end);
            try {
                pairs.add(new Entry(group, text.substring(i, keyEnd), ProcScan.parseDecimal(text, valueStart, valueEnd)));
            } catch (NumberFormatException e) {
                return null;
            }
            i = ProcScan.skipSpaces(text, valueEnd, end);
        }
        return pairs.isEmpty() ? null : pairs;
    }
}
