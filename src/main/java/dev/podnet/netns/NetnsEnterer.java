package dev.podnet.netns;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Runs work inside a network namespace on dedicated platform threads: setns(2) changes the namespace of
 * the calling thread only, so a thread enters, runs the work and goes back to its own namespace before
 * it takes the next task. Virtual threads must not do this: they hop between carriers.
 *
 * <p>A few threads, not one: probes that must create sockets inside every namespace (netlink) would
 * otherwise queue behind each other on a single thread. If a thread cannot return home it dies (the
 * pool replaces it), so no later work ever runs in the wrong namespace.
 */
public final class NetnsEnterer implements AutoCloseable {
    /** statfs f_type of nsfs, the filesystem of namespace files (linux/magic.h). */
    private static final long NSFS_MAGIC = 0x6e736673L;
    private final Path procRoot;
    private final ThreadPoolExecutor threads;
    /** Each thread's own namespace, opened once by that thread. */
    private final ThreadLocal<Integer> homeFd = ThreadLocal.withInitial(() -> -1);

    public NetnsEnterer(Path procRoot) {
        this(procRoot, Math.max(2, Runtime.getRuntime().availableProcessors()));
    }

    public NetnsEnterer(Path procRoot, int threadCount) {
        this.procRoot = procRoot;
        this.threads = new ThreadPoolExecutor(threadCount, threadCount, 0, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                Thread.ofPlatform().name("podnet-netns-enter-", 0).daemon(true).factory());
    }

    /** The file that names {@code netns}: its /run/netns mount, else the namespace link of a process inside. */
    public Path nsFile(Netns netns) {
        if (netns.mount() != null) {
            return netns.mount();
        }
        return procRoot.resolve(Integer.toString(netns.anyPid())).resolve("ns/net");
    }

    /** Runs {@code work} inside {@code netns} and returns its result. */
    public <T> T call(Netns netns, Callable<T> work) throws IOException {
        long inode = netns.inode();
        Path nsFile = nsFile(netns);
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            threads.execute(() -> {
                try {
                    result.complete(runInside(inode, nsFile, work));
                } catch (HomeLostError e) {
                    result.completeExceptionally(e);
                    throw e; // ends this thread: it is stuck in a foreign namespace
                } catch (Throwable t) {
                    result.completeExceptionally(t);
                }
            });
            return result.get();
        } catch (RejectedExecutionException e) {
            throw new IOException("namespace enterer is closed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while working in namespace " + inode, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException((cause instanceof HomeLostError ? "" : "work in namespace " + inode + " failed: ")
                    + cause.getMessage(), cause);
        }
    }

    private <T> T runInside(long inode, Path nsFile, Callable<T> work) throws Exception {
        if (homeFd.get() < 0) {
            homeFd.set(Libc.open("/proc/thread-self/ns/net", Libc.O_RDONLY | Libc.O_CLOEXEC));
        }
        int fd;
        try {
            fd = Libc.open(nsFile.toString(), Libc.O_RDONLY | Libc.O_CLOEXEC);
        } catch (Libc.ErrnoException e) {
            if (e.errno() == 2 /* ENOENT */ || e.errno() == 3 /* ESRCH */) {
                throw new NetnsVanishedException(inode, nsFile + " is gone");
            }
            throw e;
        }
        try {
            requireNamespace(fd, inode, nsFile);
            Libc.setns(fd, Libc.CLONE_NEWNET, nsFile.toString());
        } finally {
            Libc.close(fd);
        }
        try {
            return work.call();
        } finally {
            try {
                Libc.setns(homeFd.get(), Libc.CLONE_NEWNET, "home namespace");
            } catch (Libc.ErrnoException e) {
                throw new HomeLostError("could not return from namespace " + inode + ": " + e.getMessage());
            }
        }
    }

    /**
     * The file that named the namespace at discovery may lead elsewhere by now. A /run/netns name whose
     * bind mount was removed still opens until it is unlinked (the empty file under the mount; setns then
     * fails with EINVAL), the name may be mounted again for a new namespace, a pid may be reused in another
     * one. In each case the namespace asked for is no longer there: vanished, not an error, and never
     * entered in its stead. Checked on the open descriptor, which is what setns enters.
     */
    private static void requireNamespace(int fd, long inode, Path nsFile) throws IOException {
        if (Libc.filesystemOf(fd) != NSFS_MAGIC) {
            throw new NetnsVanishedException(inode, nsFile + " is no longer a namespace (its mount was removed)");
        }
        long found = Libc.inodeOf(fd);
        if (found != inode) {
            throw new NetnsVanishedException(inode, nsFile + " now leads to namespace " + found);
        }
    }

    @Override
    public void close() {
        threads.shutdownNow();
    }

    /** The enter thread is stuck in a foreign namespace; it must not run anything else. */
    private static final class HomeLostError extends Error {
        HomeLostError(String message) {
            super(message);
        }
    }
}
