package dev.podnet.netns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Reads a namespace's files through a process inside it: {@code /proc/<pid>/net/...} shows the
 * namespace of that process, with no need to enter it.
 */
final class ProcNetnsReader implements NetnsReader {
    private final Netns netns;
    private final Path pidDir;
    private final String prefix;

    ProcNetnsReader(Path procRoot, Netns netns) {
        this.netns = netns;
        this.pidDir = procRoot.resolve(Integer.toString(netns.anyPid()));
        this.prefix = pidDir + "/";
    }

    @Override
    public byte[] read(String relative) throws IOException {
        byte[] bytes;
        try {
            bytes = ProcFiles.readOrNull(prefix + relative);
        } catch (IOException e) {
            throw gone() ? vanished() : e;
        }
        // Absent: either the file does not exist in this namespace, or the process is gone. Only the
        // second is a vanished namespace; tell them apart by the process directory.
        if (bytes == null && gone()) {
            throw vanished();
        }
        return bytes;
    }

    private boolean gone() {
        return !Files.exists(pidDir);
    }

    private NetnsVanishedException vanished() {
        return new NetnsVanishedException(netns.inode(), "process " + pidDir.getFileName() + " exited");
    }
}
