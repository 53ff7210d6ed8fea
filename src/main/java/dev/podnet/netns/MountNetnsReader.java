package dev.podnet.netns;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Reads the files of a namespace that holds no process, by entering it on the enterer's thread and
 * reading {@code /proc/thread-self/...} there ({@code /proc/self} would show the process's namespace,
 * not the thread's).
 */
final class MountNetnsReader implements NetnsReader {
    private final Netns netns;
    private final NetnsEnterer enterer;
    private final Path threadSelf;

    MountNetnsReader(Path procRoot, Netns netns, NetnsEnterer enterer) {
        this.netns = netns;
        this.enterer = enterer;
        this.threadSelf = procRoot.resolve("thread-self");
    }

    @Override
    public byte[] read(String relative) throws IOException {
        return enterer.call(netns, () -> ProcFiles.readOrNull(threadSelf + "/" + relative));
    }
}
