package dev.podnet.netns;

import java.nio.file.Path;
import java.util.List;

/**
 * One network namespace as found by discovery.
 *
 * @param inode inode of the namespace (the number in {@code net:[4026531840]}); its identity
 * @param name  its /run/netns name, {@code host} for the host's namespace, else the command of a process inside
 * @param pids  live processes inside it, ascending; empty for a named namespace that holds no process
 * @param mount the bind mount under /run/netns, or null; used to enter a namespace without processes
 * @param host  whether this is the host's namespace (that of pid 1)
 */
public record Netns(long inode, String name, List<Integer> pids, Path mount, boolean host) {

    public Netns {
        pids = List.copyOf(pids);
    }

    /** A process to read /proc/&lt;pid&gt;/net/* through, or -1 when only the mount can reach it. */
    public int anyPid() {
        return pids.isEmpty() ? -1 : pids.getFirst();
    }

    public String inodeLabel() {
        return Long.toString(inode);
    }
}
