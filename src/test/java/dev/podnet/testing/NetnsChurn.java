package dev.podnet.testing;

import dev.podnet.netns.Libc;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;

/**
 * Named namespaces created and deleted many times a second, the way {@code ip netns add} and
 * {@code ip netns del} do it, but without a process per call: a new namespace (unshare) bind-mounted on
 * a file under /run/netns; deleted by removing the mount and then the file. Each namespace stays mounted
 * for {@code lifetime}, then its file stays, unmounted and empty, for {@code unmountedFor} before it is
 * unlinked: the moment in which a reader that found the namespace opens a file that is no longer one.
 * Started through {@link NetnsLab#churn}, which stops it and removes what is left on close.
 */
public final class NetnsChurn implements AutoCloseable {
    private static final int MS_BIND = 4096;
    private static final int MNT_DETACH = 2;
    private static final Linker LINKER = Linker.nativeLinker();
    private static final MemoryLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle UNSHARE = downcall("unshare",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle MOUNT = downcall("mount", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.ADDRESS));
    private static final MethodHandle UMOUNT2 = downcall("umount2",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));

    private final String namePrefix;
    private final long periodNanos;
    private final long lifetimeNanos;
    private final long unmountedNanos;
    private final Thread thread;
    private final AtomicInteger created = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Deque<Entry> mounted = new ArrayDeque<>();
    private final Deque<Entry> unmounted = new ArrayDeque<>();
    private volatile boolean stopping;

    private record Entry(Path file, long sinceNanos) {
    }

    NetnsChurn(String namePrefix, int perSecond, Duration lifetime, Duration unmountedFor) {
        this.namePrefix = namePrefix;
        this.periodNanos = 1_000_000_000L / perSecond;
        this.lifetimeNanos = lifetime.toNanos();
        this.unmountedNanos = unmountedFor.toNanos();
        // a platform thread: unshare and setns change the namespace of the calling thread only
        this.thread = Thread.ofPlatform().name("netns-churn").daemon(true).start(this::run);
    }

    /** Namespaces created so far. */
    public int created() {
        return created.get();
    }

    private void run() {
        try {
            int home = Libc.open("/proc/thread-self/ns/net", Libc.O_RDONLY | Libc.O_CLOEXEC);
            try {
                long next = System.nanoTime();
                while (!stopping) {
                    create(home);
                    retire(System.nanoTime());
                    next += periodNanos;
                    LockSupport.parkNanos(next - System.nanoTime());
                }
            } finally {
                Libc.close(home);
            }
        } catch (Throwable t) {
            failure.set(t);
        } finally {
            retire(Long.MAX_VALUE);
        }
    }

    private void create(int home) throws IOException {
        Path file = Path.of("/run/netns", namePrefix + created.getAndIncrement());
        Files.createFile(file);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            check("unshare", () -> (int) UNSHARE.invokeExact(state, Libc.CLONE_NEWNET), state);
            try {
                MemorySegment source = arena.allocateFrom("/proc/thread-self/ns/net");
                MemorySegment target = arena.allocateFrom(file.toString());
                check("mount " + file, () -> (int) MOUNT.invokeExact(state, source, target, MemorySegment.NULL,
                        (long) MS_BIND, MemorySegment.NULL), state);
            } finally {
                Libc.setns(home, Libc.CLONE_NEWNET, "home namespace");
            }
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(file);
            throw e;
        }
        mounted.addLast(new Entry(file, System.nanoTime()));
    }

    /** Unmounts what has lived long enough, unlinks what has been unmounted long enough. */
    private void retire(long now) {
        while (!mounted.isEmpty() && now - mounted.peekFirst().sinceNanos() >= lifetimeNanos) {
            Path file = mounted.removeFirst().file();
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment state = arena.allocate(CALL_STATE);
                MemorySegment target = arena.allocateFrom(file.toString());
                check("umount " + file, () -> (int) UMOUNT2.invokeExact(state, target, MNT_DETACH), state);
            } catch (IOException e) {
                failure.compareAndSet(null, e);
            }
            unmounted.addLast(new Entry(file, System.nanoTime()));
        }
        while (!unmounted.isEmpty() && (now == Long.MAX_VALUE || now - unmounted.peekFirst().sinceNanos() >= unmountedNanos)) {
            try {
                Files.deleteIfExists(unmounted.removeFirst().file());
            } catch (IOException e) {
                failure.compareAndSet(null, e);
            }
        }
    }

    /** Stops churning and removes every namespace it left; throws what went wrong while it ran. */
    @Override
    public void close() throws IOException {
        stopping = true;
        try {
            thread.join(Duration.ofSeconds(30));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        Throwable t = failure.get();
        if (t != null) {
            throw new IOException("namespace churn failed", t);
        }
    }

    @FunctionalInterface
    private interface Call {
        int invoke() throws Throwable;
    }

    private static void check(String what, Call call, MemorySegment state) throws IOException {
        int rc;
        try {
            rc = call.invoke();
        } catch (Throwable t) {
            throw new IllegalStateException(what + ": downcall failed", t);
        }
        if (rc != 0) {
            throw new IOException(what + ": " + Libc.strerror((int) ERRNO.get(state, 0L)));
        }
    }

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = LINKER.defaultLookup().find(name).orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor, Linker.Option.captureCallState("errno"));
    }
}
