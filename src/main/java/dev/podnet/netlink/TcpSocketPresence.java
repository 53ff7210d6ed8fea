package dev.podnet.netlink;

import dev.podnet.netns.ProcFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

/**
 * Whether a namespace has any TCP socket a sock_diag dump could list, from its sockstat counters:
 * {@code TCP: inuse} (hashed IPv4 sockets, listeners and orphans included), {@code tw} (TIME_WAIT of
 * both families) and {@code TCP6: inuse}. All three are per namespace. When they are all zero the
 * dump, which walks the host-wide hash tables, can be skipped: its answer would be empty.
 */
public final class TcpSocketPresence {
    private static final String SOCKSTAT = "/proc/thread-self/net/sockstat";
    private static final String SOCKSTAT6 = "/proc/thread-self/net/sockstat6";

    private TcpSocketPresence() {
    }

    /** For the calling thread's namespace (call it inside the namespace). */
    public static boolean anyHere() throws IOException {
        // no sockstat: cannot tell, hence "maybe"; no sockstat6: IPv6 disabled, no IPv6 sockets
        return any(textOrEmpty(ProcFiles.readOrNull(SOCKSTAT)), textOrEmpty(ProcFiles.readOrNull(SOCKSTAT6)));
    }

    private static String textOrEmpty(byte[] bytes) {
        return bytes == null ? "" : new String(bytes, StandardCharsets.US_ASCII);
    }

    /**
     * From the text of sockstat and sockstat6. Text it cannot read counts as "maybe": then the dump runs
     * and finds out, so a format change can cost time but never hide sockets.
     */
    public static boolean any(String sockstat, String sockstat6) {
        return field(sockstat, "TCP:", "inuse") != 0 || field(sockstat, "TCP:", "tw") != 0
                || (!sockstat6.isEmpty() && field(sockstat6, "TCP6:", "inuse") != 0);
    }

    /** The number after {@code name} on the line starting with {@code line}, or -1 (unknown) if it is not there. */
    private static long field(String text, String line, String name) {
        for (String l : text.split("\n")) {
            if (!l.startsWith(line + " ")) {
                continue;
            }
            String[] words = l.substring(line.length()).trim().split(" +");
            for (int i = 0; i + 1 < words.length; i += 2) {
                if (words[i].equals(name)) {
                    try {
                        return Long.parseLong(words[i + 1]);
                    } catch (NumberFormatException e) {
                        return -1;
                    }
                }
            }
            return -1;
        }
        return -1;
    }
}
