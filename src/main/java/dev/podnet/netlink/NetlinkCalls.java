package dev.podnet.netlink;

import dev.podnet.netns.Libc;
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
 * The socket system calls an AF_NETLINK socket needs, through java.lang.foreign, with errno captured in
 * the call itself (the JVM may clobber it between two Java statements).
 */
final class NetlinkCalls {
    static final int AF_NETLINK = 16;
    static final int SOCK_RAW = 3;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int SOL_SOCKET = 1;
    static final int SO_RCVTIMEO = 20;
    /** recv returns the datagram's real length even when it did not fit: how we detect a short buffer. */
    static final int MSG_TRUNC = 0x20;
    static final int EINTR = 4;
    static final int EAGAIN = 11;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));

    private static final MethodHandle SOCKET = downcall("socket", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle SETSOCKOPT = downcall("setsockopt", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle SEND = downcall("send", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));
    private static final MethodHandle RECV = downcall("recv", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT));

    private NetlinkCalls() {
    }

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor, Linker.Option.captureCallState("errno"));
    }

    /** Memory for the errno of calls made with it; one per socket, used by one thread at a time. */
    static MemorySegment callState(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /** A new netlink socket of {@code protocol} in the calling thread's network namespace. */
    static int socket(int protocol) throws Libc.ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = callState(arena);
            int fd = (int) SOCKET.invokeExact(state, AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol);
            if (fd < 0) {
                throw new Libc.ErrnoException("socket(AF_NETLINK, protocol " + protocol + ")", errno(state));
            }
            return fd;
        } catch (Libc.ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("socket downcall failed", t);
        }
    }

    /** Bounds every later recv on {@code fd}, so a kernel that never answers cannot hang a collection. */
    static void receiveTimeout(int fd, long millis) throws Libc.ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = callState(arena);
            MemorySegment timeval = arena.allocate(16, 8);
            timeval.set(ValueLayout.JAVA_LONG, 0, millis / 1000);
            timeval.set(ValueLayout.JAVA_LONG, 8, (millis % 1000) * 1000);
            int rc = (int) SETSOCKOPT.invokeExact(state, fd, SOL_SOCKET, SO_RCVTIMEO, timeval, 16);
            if (rc != 0) {
                throw new Libc.ErrnoException("setsockopt(SO_RCVTIMEO)", errno(state));
            }
        } catch (Libc.ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("setsockopt downcall failed", t);
        }
    }

    static void send(int fd, MemorySegment message, MemorySegment state, String what) throws Libc.ErrnoException {
        while (true) {
            long sent;
            try {
                sent = (long) SEND.invokeExact(state, fd, message, message.byteSize(), 0);
            } catch (Throwable t) {
                throw new IllegalStateException("send downcall failed", t);
            }
            if (sent >= 0) {
                return;
            }
            int errno = errno(state);
            if (errno != EINTR) {
                throw new Libc.ErrnoException("send(" + what + ")", errno);
            }
        }
    }

    /** One datagram into {@code buffer}; returns its full length, which exceeds the buffer if it was cut. */
    static long receive(int fd, MemorySegment buffer, MemorySegment state, String what) throws Libc.ErrnoException {
        while (true) {
            long n;
            try {
                n = (long) RECV.invokeExact(state, fd, buffer, buffer.byteSize(), MSG_TRUNC);
            } catch (Throwable t) {
                throw new IllegalStateException("recv downcall failed", t);
            }
            if (n >= 0) {
                return n;
            }
            int errno = errno(state);
            if (errno != EINTR) {
                throw new Libc.ErrnoException("recv(" + what + ")", errno);
            }
        }
    }

    static void close(int fd) {
        Libc.close(fd);
    }
}
