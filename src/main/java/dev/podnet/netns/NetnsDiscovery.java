package dev.podnet.netns;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds every network namespace on the host: those of all processes ({@code /proc/<pid>/ns/net}, deduped
 * by inode) and the named ones bind-mounted under {@code /run/netns}, which may hold no process.
 * Processes exit while we look; each one that does is simply not counted.
 */
public final class NetnsDiscovery {
    private final Path procRoot;
    private final Path netnsDir;
    /** inode -> process name, so the comm file is read once per namespace, not once per scan. */
    private final Map<Long, String> commNames = new ConcurrentHashMap<>();

    public NetnsDiscovery(Path procRoot, Path netnsDir) {
        this.procRoot = procRoot;
        this.netnsDir = netnsDir;
    }

    /** One scan of the host. The host namespace comes first, then by inode. */
    public List<Netns> scan() throws IOException {
        Map<Long, List<Integer>> pidsByInode = scanProcesses();
        Map<Long, Path> mounts = scanMounts();
        long hostInode = hostInode();

        Map<Long, Netns> found = new LinkedHashMap<>();
        for (Map.Entry<Long, List<Integer>> e : pidsByInode.entrySet()) {
            long inode = e.getKey();
            List<Integer> pids = e.getValue();
            pids.sort(Comparator.naturalOrder());
            Path mount = mounts.get(inode);
            found.put(inode, new Netns(inode, nameOf(inode, hostInode, mount, pids), pids, mount, inode == hostInode));
        }
        for (Map.Entry<Long, Path> e : mounts.entrySet()) {
            long inode = e.getKey();
            if (!found.containsKey(inode)) {
                found.put(inode, new Netns(inode, e.getValue().getFileName().toString(), List.of(), e.getValue(),
                        inode == hostInode));
            }
        }
        commNames.keySet().retainAll(found.keySet());
        List<Netns> result = new ArrayList<>(found.values());
        result.sort(Comparator.comparing((Netns n) -> !n.host()).thenComparingLong(Netns::inode));
        return result;
    }

    private Map<Long, List<Integer>> scanProcesses() throws IOException {
        Map<Long, List<Integer>> byInode = new HashMap<>();
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(procRoot)) {
            for (Path dir : dirs) {
                int pid = parsePid(dir.getFileName().toString());
                if (pid <= 0) {
                    continue;
                }
                long inode = readNsInode(dir.resolve("ns/net"));
                if (inode > 0) {
                    byInode.computeIfAbsent(inode, k -> new ArrayList<>()).add(pid);
                }
            }
        }
        return byInode;
    }

    private Map<Long, Path> scanMounts() {
        Map<Long, Path> mounts = new HashMap<>();
        if (!Files.isDirectory(netnsDir)) {
            return mounts;
        }
        try (DirectoryStream<Path> files = Files.newDirectoryStream(netnsDir)) {
            // One stat per file, and the directory's once: with 1000 namespaces, three stats per file
            // showed up in profiles of the scan.
            Object parentDev = Files.getAttribute(netnsDir, "unix:dev");
            for (Path file : files) {
                try {
                    // A bind-mounted nsfs file's inode is the namespace's; an unmounted leftover is a plain
                    // empty file on tmpfs, which we recognise by its device not being nsfs's (size 0 both).
                    Map<String, Object> attributes = Files.readAttributes(file, "unix:ino,dev");
                    if (!attributes.get("dev").equals(parentDev)) {
                        mounts.put(((Number) attributes.get("ino")).longValue(), file);
                    }
                } catch (IOException | UnsupportedOperationException e) {
                    // vanished while listing, or not a file we can stat: not a namespace we can use
                }
            }
        } catch (IOException e) {
            // unreadable /run/netns: named namespaces without processes are invisible, the rest still works
        }
        return mounts;
    }

    private long hostInode() {
        long inode = readNsInode(procRoot.resolve("1/ns/net"));
        return inode > 0 ? inode : readNsInode(procRoot.resolve("self/ns/net"));
    }

    private String nameOf(long inode, long hostInode, Path mount, List<Integer> pids) {
        if (mount != null) {
            return mount.getFileName().toString();
        }
        if (inode == hostInode) {
            return "host";
        }
        return commNames.computeIfAbsent(inode, k -> readComm(pids));
    }

    private String readComm(List<Integer> pids) {
        for (int pid : pids) {
            try {
                return Files.readString(procRoot.resolve(pid + "/comm"), StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                // exited: try the next
            }
        }
        return "";
    }

    /** The inode in a {@code net:[4026531840]} link, or -1 when the process is gone or hidden from us. */
    static long readNsInode(Path link) {
        try {
            String target = Files.readSymbolicLink(link).toString();
            int open = target.indexOf('[');
            int close = target.indexOf(']', open + 1);
            if (open < 0 || close < 0) {
                return -1;
            }
            return Long.parseLong(target, open + 1, close, 10);
        } catch (NoSuchFileException e) {
            return -1;
        } catch (IOException | NumberFormatException | UnsupportedOperationException e) {
            return -1;
        }
    }

    private static int parsePid(String name) {
        int pid = 0;
        for (int i = 0; i < name.length(); i++) {
            char c = name.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            pid = pid * 10 + (c - '0');
        }
        return name.isEmpty() ? -1 : pid;
    }
}
