package dev.podnet.procfs;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Finds the IPv4 addresses configured in a namespace from its {@code /proc/net/fib_trie}: every address
 * an interface holds has a {@code /32 host LOCAL} route under its leaf. The file prints each routing
 * table ({@code Main:}, {@code Local:}, {@code Id 100:}), so an address may appear twice; it is reported
 * once. The file format:
 * <pre>
 * Main:
 *   +-- 0.0.0.0/0 3 0 5              (inner node: prefix, bits, full, empty children)
 *      |-- 10.0.2.15                 (leaf: a key)
 *         /32 host LOCAL             (one line per route on that key: prefix length, scope, type[, tos=N])
 * </pre>
 */
public final class FibTrieParser {
    private FibTrieParser() {
    }

    /** The local IPv4 addresses in order of first appearance, and the lines that fit none of the shapes above. */
    public record LocalAddresses(List<InetAddress> addresses, int malformedLines) {
    }

    public static LocalAddresses parse(String text) {
        Set<InetAddress> found = new LinkedHashSet<>();
        int malformed = 0;
        InetAddress leaf = null;
        for (String line : ProcText.lines(text)) {
            String trimmed = line.strip();
            if (trimmed.startsWith("|-- ")) {
                leaf = ipv4(trimmed.substring(4).strip());
                if (leaf == null) {
                    malformed++;
                }
            } else if (trimmed.startsWith("/")) {
                String[] f = ProcText.fields(trimmed);
                if (f.length < 3 || leaf == null) {
                    malformed++;
                } else if (f[0].equals("/32") && f[1].equals("host") && f[2].equals("LOCAL")) {
                    found.add(leaf);
                }
            } else if (trimmed.startsWith("+-- ")) {
                leaf = null; // an inner node: the routes that follow belong to the next leaf
            } else if (trimmed.endsWith(":") && !line.startsWith(" ")) {
                leaf = null; // a table header
            } else {
                malformed++;
            }
        }
        return new LocalAddresses(new ArrayList<>(found), malformed);
    }

    /** A dotted quad, without any name lookup; null when the text is not one. */
    static InetAddress ipv4(String text) {
        String[] parts = text.split("\\.", -1);
        if (parts.length != 4) {
            return null;
        }
        byte[] bytes = new byte[4];
        for (int i = 0; i < 4; i++) {
            if (parts[i].isEmpty() || parts[i].length() > 3 || !parts[i].chars().allMatch(Character::isDigit)) {
                return null;
            }
            int v = Integer.parseInt(parts[i]);
            if (v > 255) {
                return null;
            }
            bytes[i] = (byte) v;
        }
        try {
            return InetAddress.getByAddress(bytes);
        } catch (java.net.UnknownHostException e) {
            throw new AssertionError("4 bytes are always a valid address", e);
        }
    }
}
