package dev.podnet.procfs;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Small helpers shared by the procfs parsers: procfs text is ASCII, whitespace separated. */
public final class ProcText {
    private ProcText() {
    }

    public static String ascii(byte[] bytes) {
        return new String(bytes, StandardCharsets.ISO_8859_1);
    }

    /** The non-empty lines of a file. */
    public static List<String> lines(String text) {
        List<String> lines = new ArrayList<>();
        int start = 0;
        for (int i = 0; i <= text.length(); i++) {
            if (i == text.length() || text.charAt(i) == '\n') {
                if (i > start && !text.substring(start, i).isBlank()) {
                    lines.add(text.substring(start, i));
                }
                start = i + 1;
            }
        }
        return lines;
    }

    /**
     * Whitespace-separated fields of a line, as {@code line.strip().split("\\s+")} gives them (a blank
     * line is one empty field) but without the regex, which was the largest part of parsing net/dev in
     * every namespace (profiled at 1000 namespaces).
     */
    public static String[] fields(String line) {
        String text = line.strip();
        List<String> fields = new ArrayList<>(24);
        int start = -1;
        for (int i = 0; i < text.length(); i++) {
            if (isRegexSpace(text.charAt(i))) {
                if (start >= 0) {
                    fields.add(text.substring(start, i));
                    start = -1;
                }
            } else if (start < 0) {
                start = i;
            }
        }
        if (start >= 0) {
            fields.add(text.substring(start));
        }
        return fields.isEmpty() ? new String[] {""} : fields.toArray(String[]::new);
    }

    /** The characters of the regex class {@code \\s}. */
    private static boolean isRegexSpace(char c) {
        return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0x0B;
    }

    /**
     * The kernel's CamelCase counter name in snake case, for metric names: {@code RetransSegs} ->
     * {@code retrans_segs}, {@code TCPSackRecovery} -> {@code tcp_sack_recovery}, {@code InType3} ->
     * {@code in_type3}, {@code DefaultTTL} -> {@code default_ttl}.
     */
    public static String snakeCase(String name) {
        StringBuilder sb = new StringBuilder(name.length() + 8);
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (Character.isUpperCase(c)) {
                boolean prevLowerOrDigit = i > 0 && (Character.isLowerCase(name.charAt(i - 1)) || Character.isDigit(name.charAt(i - 1)));
                boolean acronymEnd = i > 0 && Character.isUpperCase(name.charAt(i - 1))
                        && i + 1 < name.length() && Character.isLowerCase(name.charAt(i + 1));
                if (prevLowerOrDigit || acronymEnd) {
                    sb.append('_');
                }
                sb.append(Character.toLowerCase(c));
            } else if (c == '-' || c == '.') {
                sb.append('_');
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
