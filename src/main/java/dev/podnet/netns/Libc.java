package dev.podnet.netns;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;

/**
 * The few libc calls the namespace layer needs, through java.lang.foreign, with errno captured right
 * after each call (the JVM may clobber it otherwise).
 */
public final class Libc {
    public static final int O_RDONLY = 0;
    public static final int O_CLOEXEC = 0x80000;
    public static final int CLONE_NEWNET = 0x40000000;

    private static final Linker LINKER = Linker.nativeLinker();
    /** The layout of the segment that receives errno from the calls that capture it. */
    public static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO =
            CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");

    private static final MethodHandle OPEN = downcall("open",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT), true);
    private static final MethodHandle READ = downcall("read",
            FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG),
            true);
    private static final MethodHandle CLOSE = downcall("close",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), false);
    private static final MethodHandle SETNS = downcall("setns",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT), true);
    private static final MethodHandle FSTAT = downcall("fstat",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS), true);
    private static final MethodHandle FSTATFS = downcall("fstatfs",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS), true);
    /**
     * Room for struct stat and struct statfs (144 and 120 bytes on x86-64, less on arm64). Both 64-bit
     * layouts start the same way: stat with st_dev then st_ino, statfs with f_type, each 8 bytes.
     */
    private static final long STAT_BYTES = 256;
    private static final long ST_INO_OFFSET = 8;
    private static final MethodHandle STRERROR = downcall("strerror",
            FunctionDescriptor.of(ValueLayout.ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(256, ValueLayout.JAVA_BYTE)),
                    ValueLayout.JAVA_INT), false);

    private Libc() {
    }

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor, boolean captureErrno) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return captureErrno
                ? LINKER.downcallHandle(symbol, descriptor, CAPTURE_ERRNO)
                : LINKER.downcallHandle(symbol, descriptor);
    }

    /** A failed system call: the call, its argument and the kernel's reason. */
    public static final class ErrnoException extends IOException {
        private final int errno;

        public ErrnoException(String call, int errno) {
            super(call + ": " + strerror(errno) + " (errno " + errno + ")");
            this.errno = errno;
        }

        public int errno() {
            return errno;
        }
    }

    public static int open(String path, int flags) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int fd = (int) OPEN.invokeExact(state, arena.allocateFrom(path), flags);
            if (fd < 0) {
                throw new ErrnoException("open(" + path + ")", (int) ERRNO.get(state, 0L));
            }
            return fd;
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("open downcall failed", t);
        }
    }

    /**
     * open(2) of a NUL-terminated path already in native memory, for loops that open thousands of files:
     * no arena, no string copy per call. Returns the descriptor, or minus errno.
     */
    public static int open(MemorySegment cPath, int flags, MemorySegment callState) {
        try {
            int fd = (int) OPEN.invokeExact(callState, cPath, flags);
            return fd >= 0 ? fd : -errno(callState);
        } catch (Throwable t) {
            throw new IllegalStateException("open downcall failed", t);
        }
    }

    /** read(2) into {@code buffer}; returns the byte count (0 at the end), or minus errno. */
    public static long read(int fd, MemorySegment buffer, MemorySegment callState) {
        try {
            long n = (long) READ.invokeExact(callState, fd, buffer, buffer.byteSize());
            return n >= 0 ? n : -errno(callState);
        } catch (Throwable t) {
            throw new IllegalStateException("read downcall failed", t);
        }
    }

    private static int errno(MemorySegment callState) {
        return (int) ERRNO.get(callState, 0L);
    }

    public static void close(int fd) {
        try {
            int ignored = (int) CLOSE.invokeExact(fd);
        } catch (Throwable t) {
            throw new IllegalStateException("close downcall failed", t);
        }
    }

    public static void setns(int fd, int nstype, String what) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            int rc = (int) SETNS.invokeExact(state, fd, nstype);
            if (rc != 0) {
                throw new ErrnoException("setns(" + what + ")", (int) ERRNO.get(state, 0L));
            }
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("setns downcall failed", t);
        }
    }

    /** The inode of an open file (fstat's st_ino). */
    public static long inodeOf(int fd) throws ErrnoException {
        return statField(FSTAT, "fstat", fd, ST_INO_OFFSET);
    }

    /** The magic number of the filesystem an open file is on (fstatfs's f_type), e.g. nsfs's. */
    public static long filesystemOf(int fd) throws ErrnoException {
        return statField(FSTATFS, "fstatfs", fd, 0);
    }

    private static long statField(MethodHandle call, String name, int fd, long offset) throws ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(CALL_STATE);
            MemorySegment buffer = arena.allocate(STAT_BYTES, 8);
            int rc = (int) call.invokeExact(state, fd, buffer);
            if (rc != 0) {
                throw new ErrnoException(name + "(" + fd + ")", (int) ERRNO.get(state, 0L));
            }
            return buffer.get(ValueLayout.JAVA_LONG, offset);
        } catch (ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(name + " downcall failed", t);
        }
    }

    public static String strerror(int errno) {
        try {
            MemorySegment text = (MemorySegment) STRERROR.invokeExact(errno);
            return text.getString(0);
        } catch (Throwable t) {
            return "errno " + errno;
        }
    }
}
