package dev.podnet.netns;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads a namespace's files through a process inside it: {@code /proc/<pid>/net/...} shows the
 * namespace of that process, with no need to enter it.
 */
final class ProcNetnsReader implements NetnsReader {
    private final Netns netns;
    private final Path pidDir;

    ProcNetnsReader(Path procRoot, Netns netns) {
        this.netns = netns;
        this.pidDir = procRoot.resolve(Integer.toString(netns.anyPid()));
    }

    @Override
    public byte[] read(String relative) throws IOException {
        try {
            return Files.readAllBytes(pidDir.resolve(relative));
        } catch (NoSuchFileException e) {
            // Either the file does not exist in this namespace, or the process is gone. Only the second
            // is a vanished namespace; tell them apart by the process directory.
            if (!Files.exists(pidDir)) {
                throw new NetnsVanishedException(netns.inode(), "process " + pidDir.getFileName() + " exited");
            }
            return null;
        } catch (IOException e) {
            if (!Files.exists(pidDir)) {
                throw new NetnsVanishedException(netns.inode(), "process " + pidDir.getFileName() + " exited");
            }
            throw e;
        }
    }
}
