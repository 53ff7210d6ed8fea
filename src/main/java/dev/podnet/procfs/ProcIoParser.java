package dev.podnet.procfs;

/**
 * Parses {@code /proc/<pid>/io}: {@code name: value} lines ({@code rchar: 1234}). Fields the kernel does
 * not print (no task I/O accounting) stay {@link #ABSENT}.
 */
public final class ProcIoParser {
    public static final long ABSENT = -1;

    /** The fields podnet reports, in the order of {@link ProcIo#values()}. */
    public enum Field {
        RCHAR("rchar"), WCHAR("wchar"), SYSCR("syscr"), SYSCW("syscw"), READ_BYTES("read_bytes"),
        WRITE_BYTES("write_bytes"), CANCELLED_WRITE_BYTES("cancelled_write_bytes");

        public final String kernelName;

        Field(String kernelName) {
            this.kernelName = kernelName;
        }
    }

    private static final Field[] FIELDS = Field.values();

    private ProcIoParser() {
    }

    /** {@code values[field.ordinal()]}, {@link #ABSENT} for fields the file lacks. */
    public record ProcIo(long[] values, int malformedLines) {
        public long get(Field field) {
            return values[field.ordinal()];
        }
    }

    public static ProcIo parse(String text) {
        long[] values = new long[FIELDS.length];
        java.util.Arrays.fill(values, ABSENT);
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
            int valueStart = colon < 0 ? end : ProcScan.skipSpaces(text, colon + 1, end);
            int valueEnd = ProcScan.tokenEnd(text, valueStart, end);
            if (colon < 0 || valueStart == end || ProcScan.skipSpaces(text, valueEnd, end) != end) {
                malformed++;
                continue;
            }
            double value;
            try {
                value = ProcScan.parseDecimal(text, valueStart, valueEnd);
            } catch (NumberFormatException e) {
                malformed++;
                continue;
            }
            for (Field f : FIELDS) {
                if (text.regionMatches(start, f.kernelName, 0, f.kernelName.length()) && colon - start == f.kernelName.length()) {
                    values[f.ordinal()] = (long) value;
                    break;
                }
            }
        }
        return new ProcIo(values, malformed);
    }
}
