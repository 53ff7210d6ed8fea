package dev.podnet.probe.procfs;

import dev.podnet.netns.Netns;
import dev.podnet.netns.NetnsReader;
import dev.podnet.probe.MetricSink;
import dev.podnet.probe.Overhead;
import dev.podnet.probe.Probe;
import dev.podnet.probe.ProbeContext;
import dev.podnet.probe.ProbeInfo;
import dev.podnet.probe.ProbeSource;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Open file descriptors, and how many of them are sockets, of the processes in each namespace: the
 * entries of {@code /proc/<pid>/fd}, and those whose link reads {@code socket:[inode]}. Processes that
 * exit while we look are skipped. Costs one readlink per descriptor, hence medium overhead.
 */
public final class FdProbe implements Probe {
    private static final ProbeInfo INFO = new ProbeInfo("fd", ProbeSource.PROCFS, Overhead.MEDIUM, true, true, false,
            "Open file descriptors and sockets of the processes in each namespace (/proc/<pid>/fd)");
    private static final String OPEN_HELP =
            "File descriptors open in the processes of this network namespace (entries of /proc/<pid>/fd, summed).";
    private static final String SOCKETS_HELP =
            "Sockets open in the processes of this network namespace (/proc/<pid>/fd links to socket:[...], summed).";

    private volatile Path procRoot = Path.of("/proc");

    @Override
    public ProbeInfo info() {
        return INFO;
    }

    @Override
    public void start(ProbeContext context) {
        procRoot = context.procRoot();
    }

    @Override
    public void collectNamespace(Netns netns, NetnsReader reader, MetricSink out) throws IOException {
        long open = 0;
        long sockets = 0;
        for (int pid : netns.pids()) {
            Path dir = procRoot.resolve(Integer.toString(pid)).resolve("fd");
            try (DirectoryStream<Path> fds = Files.newDirectoryStream(dir)) {
                for (Path fd : fds) {
                    try {
                        if (Files.readSymbolicLink(fd).toString().startsWith("socket:")) {
                            sockets++;
                        }
                        open++;
                    } catch (NoSuchFileException e) {
                        // closed between listing and reading: no longer open
                    }
                }
            } catch (NoSuchFileException e) {
                // the process exited
            } catch (AccessDeniedException e) {
                throw new AccessDeniedException(dir.toString(), null,
                        "permission denied: podnet needs root (or CAP_SYS_PTRACE and CAP_DAC_READ_SEARCH) to list other processes' descriptors");
            } catch (IOException e) {
                if (Files.exists(dir.getParent())) {
                    throw e;
                } // else the process exited mid-listing (ESRCH)
            }
        }
        out.gauge("podnet_fd_open", OPEN_HELP, open);
        out.gauge("podnet_fd_sockets", SOCKETS_HELP, sockets);
    }
}
