package dev.podnet.procfs;

/**
 * Allocation-free scanning of procfs text by index: the parsers run once per namespace per scrape on
 * hundreds of namespaces, so they walk the text in place instead of splitting it with regular
 * expressions. Positions are {@code [from, to)} ranges inside the one text string.
 */
public final class ProcScan {
    private ProcScan() {
    }

    /** End of the line that starts at {@code from} (index of its '\n', or the text's length). */
    public static int lineEnd(String text, int from) {
        int nl = text.indexOf('\n', from);
        return nl < 0 ? text.length() : nl;
    }

    public static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\f';
    }

    /** First non-space index at or after {@code i}, or {@code end}. */
    public static int skipSpaces(String s, int i, int end) {
        while (i < end && isSpace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    /** First space index at or after {@code i}, or {@code end}. */
    public static int tokenEnd(String s, int i, int end) {
        while (i < end && !isSpace(s.charAt(i))) {
            i++;
        }
        return i;
    }

    /** Index of {@code c} in {@code [from, to)}, or -1. */
    public static int indexOf(String s, char c, int from, int to) {
        int i = s.indexOf(c, from);
        return i >= 0 && i < to ? i : -1;
    }

    public static boolean isBlank(String s, int from, int to) {
        return skipSpaces(s, from, to) == to;
    }

    /** Number of whitespace-separated tokens in {@code [from, to)}. */
    public static int countTokens(String s, int from, int to) {
        int n = 0;
        int i = skipSpaces(s, from, to);
        while (i < to) {
            n++;
            i = skipSpaces(s, tokenEnd(s, i, to), to);
        }
        return n;
    }

    /**
     * A decimal integer token, optionally negative ({@code Tcp MaxConn} is -1). The kernel prints u64
     * counters too; those beyond {@code Long.MAX_VALUE} are returned exactly enough as a double.
     *
     * @throws NumberFormatException when the token is not a decimal integer
     */
    public static double parseDecimal(String s, int from, int to) {
        int i = from;
        boolean negative = false;
        if (i < to && s.charAt(i) == '-') {
            negative = true;
            i++;
        }
        if (i == to) {
            throw new NumberFormatException("not a number: '" + s.substring(from, to) + "'");
        }
        if (to - i > 18) {
            // Only a u64 near its wrap gets here: rare enough for the slow path.
            try {
                long bits = Long.parseUnsignedLong(s, i, to, 10);
                double big = bits >= 0 ? bits : (bits >>> 1) * 2.0;
                return negative ? -big : big;
            } catch (NumberFormatException e) {
                throw new NumberFormatException("not a number: '" + s.substring(from, to) + "'");
            }
        }
        long value = 0;
        for (; i < to; i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                throw new NumberFormatException("not a number: '" + s.substring(from, to) + "'");
            }
            value = value * 10 + (c - '0');
        }
        return negative ? -value : value;
    }

    /**
     * A hexadecimal token as printed by {@code %08x} (softnet_stat, stat/nf_conntrack).
     *
     * @throws NumberFormatException when the token is not hexadecimal or longer than 16 digits
     */
    public static long parseHex(String s, int from, int to) {
        if (from == to || to - from > 16) {
            throw new NumberFormatException("not a hex number: '" + s.substring(from, to) + "'");
        }
        long value = 0;
        for (int i = from; i < to; i++) {
            int digit = Character.digit(s.charAt(i), 16);
            if (digit < 0) {
                throw new NumberFormatException("not a hex number: '" + s.substring(from, to) + "'");
            }
            value = (value << 4) | digit;
        }
        return value;
    }
}
