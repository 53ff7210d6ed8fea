package dev.podnet.netlink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Whether a namespace has any TCP socket a sock_diag dump could list, from its sockstat counters:
 * {@code TCP: inuse} (hashed IPv4 sockets, listeners and orphans included), {@code tw} (TIME_WAIT of
 * both families) and {@code TCP6: inuse}. All three are per namespace. When they are all zero the
 * dump, which walks the host-wide hash tables, can be skipped: its answer would be empty.
 */
public final class TcpSocketPresence {
    private static final Path SOCKSTAT = Path.of("/proc/thread-self/net/sockstat");
    private static final Path SOCKSTAT6 = Path.of("/proc/thread-self/net/sockstat6");

    private TcpSocketPresence() {
    }

    /** For the calling thread's namespace (call it inside the namespace). */
    public static boolean anyHere() throws IOException {
        return any(Files.readString(SOCKSTAT, StandardCharsets.US_ASCII), readOrEmpty(SOCKSTAT6));
    }

    private static String readOrEmpty(Path file) throws IOException {
        try {
            return Files.readString(file, StandardCharsets.US_ASCII);
        } catch (NoSuchFileException e) {
            return ""; // IPv6 disabled: no sockstat6, no IPv6 sockets
        }
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
