package dev.podnet.procfs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Parses {@code /proc/net/stat/nf_conntrack}: a header line naming the columns, then one row of
 * {@code %08x} values per CPU. The columns changed between kernels ({@code searched} became
 * {@code clashres}, {@code delete_list} became {@code chainlength}), so they are taken from the header.
 *
 * <p>Per-CPU rows are summed, except {@code entries}: every row prints the same table-wide count of
 * the namespace, so it is taken once (from the first row) instead of being multiplied by the CPUs.
 */
public final class ConntrackStatParser {
    public static final String ENTRIES = "entries";

    private ConntrackStatParser() {
    }

    /**
     * @param entries  conntrack entries of the namespace, or -1 when the header has no {@code entries}
     * @param counters every other column, summed over the CPUs, in header order
     */
    public record ConntrackStat(long entries, List<String> columns, long[] counters, int malformedLines) {
        /** The summed value of a column, or -1 when the kernel does not print it. */
        public long counter(String column) {
            int i = columns.indexOf(column);
            return i < 0 ? -1 : counters[i];
        }

        @Override
        public String toString() {
            return "entries=" + entries + " " + columns + "=" + Arrays.toString(counters);
        }
    }

    public static ConntrackStat parse(String text) {
        int malformed = 0;
        int pos = 0;
        List<String> header = null;
        int entriesColumn = -1;
        long entries = -1;
        long[] sums = null;
        long[] row = null;
        while (pos < text.length()) {
            int end = ProcScan.lineEnd(text, pos);
            int i = ProcScan.skipSpaces(text, pos, end);
            pos = end + 1;
            if (i == end) {
                continue;
            }
            if (header == null) {
                header = names(text, i, end);
                entriesColumn = header.indexOf(ENTRIES);
                sums = new long[header.size()];
                row = new long[header.size()];
                continue;
            }
            if (!row(text, i, end, row)) {
                malformed++;
                continue;
            }
            for (int c = 0; c < row.length; c++) {
                sums[c] += row[c];
            }
            if (entriesColumn >= 0 && entries < 0) {
                entries = row[entriesColumn];
            }
        }
        if (header == null) {
            return new ConntrackStat(-1, List.of(), new long[0], malformed);
        }
        List<String> columns = new ArrayList<>(header);
        long[] counters = sums;
        if (entriesColumn >= 0) {
            columns.remove(entriesColumn);
            counters = new long[columns.size()];
            for (int c = 0, o = 0; c < sums.length; c++) {
                if (c != entriesColumn) {
                    counters[o++] = sums[c];
                }
            }
        }
        return new ConntrackStat(entries, List.copyOf(columns), counters, malformed);
    }

    private static List<String> names(String text, int i, int end) {
        List<String> names = new ArrayList<>(20);
        while (i < end) {
            int e = ProcScan.tokenEnd(text, i, end);
            names.add(text.substring(i, e));
            i = ProcScan.skipSpaces(text, e, end);
        }
        return names;
    }

    /** Reads one row of hex values into {@code out}; false when it is not exactly that many. */
    private static boolean row(String text, int i, int end, long[] out) {
        int n = 0;
        while (i < end) {
            int e = ProcScan.tokenEnd(text, i, end);
            if (n == out.length) {
                return false;
            }
            try {
                out[n++] = ProcScan.parseHex(text, i, e);
            } catch (NumberFormatException ex) {
                return false;
            }
            i = ProcScan.skipSpaces(text, e, end);
        }
        return n == out.length;
    }
}
