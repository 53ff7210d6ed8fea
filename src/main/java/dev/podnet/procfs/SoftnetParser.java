package dev.podnet.procfs;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Parses {@code /proc/net/softnet_stat}: one row per online CPU of {@code %08x} columns, whose number grew
 * with the kernel:
 * <ul>
 *   <li>9 (before 2.6.35): processed dropped time_squeeze 0 0 0 0 0 cpu_collision</li>
 *   <li>10 (2.6.35): + received_rps</li>
 *   <li>11 (3.11): + flow_limit_count</li>
 *   <li>13 (5.10): + backlog_len, cpu index</li>
 *   <li>15 (6.x): + input_qlen, process_qlen</li>
 * </ul>
 * Rows of offline CPUs are not printed, so the row number is the CPU only on kernels without the
 * cpu-index column. Columns a kernel lacks are {@link #ABSENT}; columns beyond the known ones are ignored.
 */
public final class SoftnetParser {
    /** The value of a column the kernel does not print. */
    public static final long ABSENT = -1;
    private static final int MIN_COLUMNS = 9;
    private static final int CPU_INDEX_COLUMN = 12;

    /** The columns worth reporting, with their position in the row. */
    public enum Column {
        PROCESSED(0), DROPPED(1), TIME_SQUEEZE(2), CPU_COLLISION(8), RECEIVED_RPS(9), FLOW_LIMIT_COUNT(10),
        BACKLOG_LEN(11), INPUT_QLEN(13), PROCESS_QLEN(14);

        public final int position;

        Column(int position) {
            this.position = position;
        }

        /** Queue lengths are levels; the rest count events since boot. */
        public boolean isGauge() {
            return this == BACKLOG_LEN || this == INPUT_QLEN || this == PROCESS_QLEN;
        }
    }

    private SoftnetParser() {
    }

    /** One CPU's row: {@code values[column.ordinal()]}, {@link #ABSENT} where the kernel lacks the column. */
    public record CpuRow(int cpu, long[] values) {
        public long get(Column column) {
            return values[column.ordinal()];
        }

        @Override
        public String toString() {
            return "cpu" + cpu + Arrays.toString(values);
        }
    }

    public record Softnet(List<CpuRow> rows, int malformedLines) {
    }

    public static Softnet parse(String text) {
        List<CpuRow> rows = new ArrayList<>();
        int malformed = 0;
        int row = 0;
        long[] columns = new long[16];
        int pos = 0;
        while (pos < text.length()) {
            int end = ProcScan.lineEnd(text, pos);
            int i = ProcScan.skipSpaces(text, pos, end);
            pos = end + 1;
            if (i == end) {
                continue;
            }
            int rowNumber = row++;
            int n = 0;
            try {
                while (i < end) {
                    int e = ProcScan.tokenEnd(text, i, end);
                    long v = ProcScan.parseHex(text, i, e);
                    if (n < columns.length) {
                        columns[n] = v;
                    }
                    n++;
                    i = ProcScan.skipSpaces(text, e, end);
                }
            } catch (NumberFormatException e) {
                malformed++;
                continue;
            }
            if (n < MIN_COLUMNS) {
                malformed++;
                continue;
            }
            long[] values = new long[Column.values().length];
            for (Column c : Column.values()) {
                values[c.ordinal()] = c.position < n ? columns[c.position] : ABSENT;
            }
            int cpu = n > CPU_INDEX_COLUMN ? (int) columns[CPU_INDEX_COLUMN] : rowNumber;
            rows.add(new CpuRow(cpu, values));
        }
        return new Softnet(rows, malformed);
    }
}
