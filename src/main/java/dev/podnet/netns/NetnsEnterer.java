package dev.podnet.netns;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Runs work inside a network namespace on a dedicated platform thread: setns(2) changes the namespace
 * of the calling thread only, so the thread enters, runs the work and goes back to its own namespace
 * before it takes the next task. Virtual threads must not do this: they hop between carriers.
 *
 * <p>If the thread cannot return home it is retired, and a new one takes its place, so no later work
 * ever runs in the wrong namespace.
 */
public final class NetnsEnterer implements AutoCloseable {
    private final Path procRoot;
    private ExecutorService thread;
    private int homeFd = -1;

    public NetnsEnterer(Path procRoot) {
        this.procRoot = procRoot;
        this.thread = newThread();
    }

    private static ExecutorService newThread() {
        return Executors.newSingleThreadExecutor(Thread.ofPlatform().name("podnet-netns-enter").daemon(true).factory());
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
        return call(netns.inode(), nsFile(netns), work);
    }

    private synchronized <T> T call(long inode, Path nsFile, Callable<T> work) throws IOException {
        Future<T> result = thread.submit(() -> runInside(inode, nsFile, work));
        try {
            return result.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while working in namespace " + inode, e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            if (cause instanceof HomeLostError) {
                thread.shutdown();
                thread = newThread();
                homeFd = -1;
                throw new IOException(cause.getMessage(), cause);
            }
            if (cause instanceof IOException io) {
                throw io;
            }
            throw new IOException("work in namespace " + inode + " failed: " + cause, cause);
        }
    }

    private <T> T runInside(long inode, Path nsFile, Callable<T> work) throws Exception {
        if (homeFd < 0) {
            homeFd = Libc.open("/proc/thread-self/ns/net", Libc.O_RDONLY | Libc.O_CLOEXEC);
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
            Libc.setns(fd, Libc.CLONE_NEWNET, nsFile.toString());
        } finally {
            Libc.close(fd);
        }
        try {
            return work.call();
        } finally {
            try {
                Libc.setns(homeFd, Libc.CLONE_NEWNET, "home namespace");
            } catch (Libc.ErrnoException e) {
                throw new HomeLostError("could not return from namespace " + inode + ": " + e.getMessage());
            }
        }
    }

    @Override
    public synchronized void close() {
        thread.shutdownNow();
    }

    /** The enter thread is stuck in a foreign namespace; it must not run anything else. */
    private static final class HomeLostError extends Error {
        HomeLostError(String message) {
            super(message);
        }
    }
}
