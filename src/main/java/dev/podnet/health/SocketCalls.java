package dev.podnet.health;

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
 * The socket system calls that java.net does not offer (raw ICMP sockets, AF_PACKET), through
 * java.lang.foreign, with errno captured in the call itself (the JVM may clobber it between two Java
 * statements). Each returns the kernel's result, or minus errno; {@link RawSocket} turns those into
 * exceptions that name the call.
 */
final class SocketCalls {
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    static final int AF_PACKET = 17;
    static final int SOCK_DGRAM = 2;
    static final int SOCK_RAW = 3;
    static final int SOCK_CLOEXEC = 0x80000;
    static final int IPPROTO_ICMP = 1;
    static final int IPPROTO_ICMPV6 = 58;
    static final int ETH_P_ARP = 0x0806;
    static final int SOL_RAW = 255;
    static final int ICMP_FILTER = 1;
    static final int SOL_ICMPV6 = 58;
    static final int ICMP6_FILTER = 1;
    static final int MSG_DONTWAIT = 0x40;
    static final short POLLIN = 1;
    static final int EINTR = 4;
    static final int EAGAIN = 11;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    private static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    private static final ValueLayout ADDRESS = ValueLayout.ADDRESS;

    private static final MethodHandle SOCKET = downcall("socket", FunctionDescriptor.of(INT, INT, INT, INT));
    private static final MethodHandle SETSOCKOPT = downcall("setsockopt", FunctionDescriptor.of(INT, INT, INT, INT, ADDRESS, INT));
    private static final MethodHandle CONNECT = downcall("connect", FunctionDescriptor.of(INT, INT, ADDRESS, INT));
    private static final MethodHandle BIND = downcall("bind", FunctionDescriptor.of(INT, INT, ADDRESS, INT));
    private static final MethodHandle GETSOCKNAME = downcall("getsockname", FunctionDescriptor.of(INT, INT, ADDRESS, ADDRESS));
    private static final MethodHandle SENDTO = downcall("sendto",
            FunctionDescriptor.of(LONG, INT, ADDRESS, LONG, INT, ADDRESS, INT));
    private static final MethodHandle RECV = downcall("recv", FunctionDescriptor.of(LONG, INT, ADDRESS, LONG, INT));
    private static final MethodHandle POLL = downcall("poll", FunctionDescriptor.of(INT, ADDRESS, LONG, INT));

    private SocketCalls() {
    }

    private static MethodHandle downcall(String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor, Linker.Option.captureCallState("errno"));
    }

    static MemorySegment callState(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    private static int errno(MemorySegment state) {
        return (int) ERRNO.get(state, 0L);
    }

    /** A new socket in the calling thread's network namespace (close-on-exec). */
    static int socket(int domain, int type, int protocol, String what) throws Libc.ErrnoException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = callState(arena);
            int fd = (int) SOCKET.invokeExact(state, domain, type | SOCK_CLOEXEC, protocol);
            if (fd < 0) {
                throw new Libc.ErrnoException("socket(" + what + ")", errno(state));
            }
            return fd;
        } catch (Libc.ErrnoException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("socket downcall failed", t);
        }
    }

    static int setsockopt(MemorySegment state, int fd, int level, int name, MemorySegment value) {
        try {
            int rc = (int) SETSOCKOPT.invokeExact(state, fd, level, name, value, (int) value.byteSize());
            return rc < 0 ? -errno(state) : rc;
        } catch (Throwable t) {
            throw new IllegalStateException("setsockopt downcall failed", t);
        }
    }

    static int connect(MemorySegment state, int fd, MemorySegment address) {
        try {
            int rc = (int) CONNECT.invokeExact(state, fd, address, (int) address.byteSize());
            return rc < 0 ? -errno(state) : rc;
        } catch (Throwable t) {
            throw new IllegalStateException("connect downcall failed", t);
        }
    }

    static int bind(MemorySegment state, int fd, MemorySegment address) {
        try {
            int rc = (int) BIND.invokeExact(state, fd, address, (int) address.byteSize());
            return rc < 0 ? -errno(state) : rc;
        } catch (Throwable t) {
            throw new IllegalStateException("bind downcall failed", t);
        }
    }

    /** getsockname into {@code address}; {@code length} holds its size before and the kernel's length after. */
    static int getsockname(MemorySegment state, int fd, MemorySegment address, MemorySegment length) {
        try {
            length.set(INT, 0, (int) address.byteSize());
            int rc = (int) GETSOCKNAME.invokeExact(state, fd, address, length);
            return rc < 0 ? -errno(state) : rc;
        } catch (Throwable t) {
            throw new IllegalStateException("getsockname downcall failed", t);
        }
    }

    /** sendto; a NULL destination sends to the connected peer. */
    static long sendto(MemorySegment state, int fd, MemorySegment data, MemorySegment destination) {
        try {
            long n = (long) SENDTO.invokeExact(state, fd, data, data.byteSize(), 0, destination,
                    (int) destination.byteSize());
            return n < 0 ? -errno(state) : n;
        } catch (Throwable t) {
            throw new IllegalStateException("sendto downcall failed", t);
        }
    }

    /** One datagram, without waiting: minus EAGAIN when none is queued. */
    static long receive(MemorySegment state, int fd, MemorySegment buffer) {
        try {
            long n = (long) RECV.invokeExact(state, fd, buffer, buffer.byteSize(), MSG_DONTWAIT);
            return n < 0 ? -errno(state) : n;
        } catch (Throwable t) {
            throw new IllegalStateException("recv downcall failed", t);
        }
    }

    /** poll(2) on one prepared {@code struct pollfd}: 1 when ready, 0 at the timeout, minus errno. */
    static int poll(MemorySegment state, MemorySegment pollfd, int timeoutMillis) {
        try {
            int rc = (int) POLL.invokeExact(state, pollfd, 1L, timeoutMillis);
            return rc < 0 ? -errno(state) : rc;
        } catch (Throwable t) {
            throw new IllegalStateException("poll downcall failed", t);
        }
    }
}
