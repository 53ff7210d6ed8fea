package dev.podnet.netns;

import java.nio.file.Path;

/** Picks the cheapest way to read a namespace's files: through a process if it has one, else by entering it. */
public final class NetnsReaders {
    private NetnsReaders() {
    }

    public static NetnsReader forNetns(Path procRoot, Netns netns, NetnsEnterer enterer) {
        if (netns.anyPid() > 0) {
            return new ProcNetnsReader(procRoot, netns);
        }
        return new MountNetnsReader(procRoot, netns, enterer);
    }
}
