package dev.podnet.testing;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * What this test process holds, as the kernel sees it: descriptors, netlink sockets inside a namespace,
 * and whether a namespace it held was really let go (its veth end in another namespace goes with it).
 */
public final class HeldResources {
    private HeldResources() {
    }

    /** Open descriptors of this process. */
    public static int openDescriptors() throws IOException {
        try (var fds = Files.list(Path.of("/proc/self/fd"))) {
            return (int) fds.count() - 1; // the listing's own
        }
    }

    /** Inodes of the netlink sockets this process holds in {@code ns}: its fds that the namespace lists. */
    public static Set<Long> netlinkSocketsIn(NetnsLab lab, String ns) throws IOException {
        Set<Long> ours = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(Path.of("/proc/self/fd"))) {
            for (Path fd : fds) {
                try {
                    String target = Files.readSymbolicLink(fd).toString();
                    if (target.startsWith("socket:[")) {
                        ours.add(Long.parseLong(target, 8, target.length() - 1, 10));
                    }
                } catch (IOException e) {
                    // closed while we looked
                }
            }
        }
        // /proc/net/netlink lists the namespace's netlink sockets, inode in the last column
        List<String> lines = lab.inNetns(ns, () -> Files.readAllLines(Path.of("/proc/thread-self/net/netlink")));
        Set<Long> held = new HashSet<>();
        for (String line : lines.subList(1, lines.size())) {
            String[] columns = line.trim().split("\\s+");
            long inode = Long.parseLong(columns[columns.length - 1]);
            if (ours.contains(inode)) {
                held.add(inode);
            }
        }
        return held;
    }

    public static boolean linkExists(String ns, String device) {
        return Sh.tryRun(List.of("ip", "-n", ns, "link", "show", device)).exit() == 0;
    }

    /** Whether the device goes away within 10 s (the kernel frees a dead namespace in a work queue). */
    public static boolean awaitLinkGone(String ns, String device) throws InterruptedException {
        for (int i = 0; i < 200; i++) {
            if (!linkExists(ns, device)) {
                return true;
            }
            Thread.sleep(50);
        }
        return false;
    }
}
