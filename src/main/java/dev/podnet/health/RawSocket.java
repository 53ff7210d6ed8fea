package dev.podnet.health;

import dev.podnet.netns.Libc;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.ByteOrder;
import java.util.function.BooleanSupplier;

/**
 * A raw ICMP or AF_PACKET socket for the length of one check. The descriptor is created wherever the
 * checks are sent from (see {@link CheckOrigin}); this wrapper then lives on the checking thread alone,
 * with its buffers in a confined arena that {@link #close()} frees along with the descriptor.
 *
 * <p>Waiting is a poll(2) in slices of at most {@value #POLL_SLICE_MILLIS} ms, so that a checker that
 * is closing ends a check promptly: a thread blocked in a native call cannot be interrupted.
 */
final class RawSocket implements AutoCloseable {
    static final int POLL_SLICE_MILLIS = 100;
    private static final ValueLayout.OfShort HOST_U16 = ValueLayout.JAVA_SHORT_UNALIGNED;
    private static final ValueLayout.OfInt HOST_U32 = ValueLayout.JAVA_INT_UNALIGNED;
    /** struct sockaddr_ll: family, protocol (network order), ifindex, hatype, pkttype, halen, addr[8]. */
    private static final int SOCKADDR_LL_BYTES = 20;

    private final int fd;
    private final String what;
    private final Arena arena = Arena.ofConfined();
    private final MemorySegment state = SocketCalls.callState(arena);
    private final MemorySegment buffer = arena.allocate(2048, 8);
    private final MemorySegment pollfd = arena.allocate(8, 4);
    private boolean closed;

    /** Takes over {@code fd}; {@code what} names the socket in errors, e.g. "AF_INET, SOCK_RAW, IPPROTO_ICMP". */
    RawSocket(int fd, String what) {
        this.fd = fd;
        this.what = what;
        pollfd.set(HOST_U32, 0, fd);
        pollfd.set(HOST_U16, 4, SocketCalls.POLLIN);
    }

    /** Network byte order of a 16-bit value, as socket(AF_PACKET) and sockaddr_ll want the protocol. */
    static int htons(int value) {
        return ByteOrder.nativeOrder() == ByteOrder.BIG_ENDIAN ? value & 0xffff
                : Short.toUnsignedInt(Short.reverseBytes((short) value));
    }

    void setOption(int level, int name, String optionName, byte[] value) throws Libc.ErrnoException {
        MemorySegment v = arena.allocate(value.length, 4);
        MemorySegment.copy(value, 0, v, ValueLayout.JAVA_BYTE, 0, value.length);
        check(SocketCalls.setsockopt(state, fd, level, name, v), "setsockopt(" + optionName + ")");
    }

    /** Restricts what the socket receives to datagrams from {@code address} (raw sockets filter on it too). */
    void connect(InetAddress address) throws Libc.ErrnoException {
        byte[] a = address.getAddress();
        MemorySegment sa;
        if (address instanceof Inet6Address v6) {
            sa = arena.allocate(28, 4); // sockaddr_in6: family, port, flowinfo, addr[16], scope_id
            sa.set(HOST_U16, 0, (short) SocketCalls.AF_INET6);
            MemorySegment.copy(a, 0, sa, ValueLayout.JAVA_BYTE, 8, 16);
            sa.set(HOST_U32, 24, v6.getScopeId());
        } else {
            sa = arena.allocate(16, 4); // sockaddr_in: family, port, addr[4], zero[8]
            sa.set(HOST_U16, 0, (short) SocketCalls.AF_INET);
            MemorySegment.copy(a, 0, sa, ValueLayout.JAVA_BYTE, 4, 4);
        }
        check(SocketCalls.connect(state, fd, sa), "connect(" + Addresses.literal(address) + ")");
    }

    /** Binds an AF_PACKET socket to one device and protocol: only that device's frames of it arrive. */
    void bindToLink(int ifindex, int protocol) throws Libc.ErrnoException {
        check(SocketCalls.bind(state, fd, linkAddress(ifindex, protocol, new byte[0])), "bind(ifindex " + ifindex + ")");
    }

    /** The hardware address of the device a packet socket is bound to (empty if it has none). */
    byte[] boundLinkAddress() throws Libc.ErrnoException {
        MemorySegment sa = arena.allocate(SOCKADDR_LL_BYTES, 4);
        MemorySegment length = arena.allocate(ValueLayout.JAVA_INT);
        check(SocketCalls.getsockname(state, fd, sa, length), "getsockname");
        int halen = Math.min(8, Byte.toUnsignedInt(sa.get(ValueLayout.JAVA_BYTE, 11)));
        return sa.asSlice(12, halen).toArray(ValueLayout.JAVA_BYTE);
    }

    /** Sends to the connected peer. */
    void send(byte[] data) throws Libc.ErrnoException {
        check(SocketCalls.sendto(state, fd, copy(data), MemorySegment.NULL), "send");
    }

    /** Sends from an AF_PACKET SOCK_DGRAM socket to {@code hardwareAddress} on one device; the kernel adds the link header. */
    void sendToLink(byte[] data, int ifindex, int protocol, byte[] hardwareAddress) throws Libc.ErrnoException {
        check(SocketCalls.sendto(state, fd, copy(data), linkAddress(ifindex, protocol, hardwareAddress)),
                "sendto(ifindex " + ifindex + ")");
    }

    /**
     * Waits until a datagram is queued; false when the deadline passes first or {@code stopped} turns true.
     */
    boolean awaitReadable(long deadlineNanos, BooleanSupplier stopped) throws Libc.ErrnoException {
        while (!stopped.getAsBoolean()) {
            long left = deadlineNanos - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            int slice = (int) Math.min(POLL_SLICE_MILLIS, Math.max(1, (left + 999_999) / 1_000_000));
            int rc = SocketCalls.poll(state, pollfd, slice);
            if (rc > 0) {
                return true;
            }
            if (rc < 0 && rc != -SocketCalls.EINTR) {
                throw new Libc.ErrnoException("poll(" + what + ")", -rc);
            }
        }
        return false;
    }

    /** The next queued datagram, copied into {@code into}; its length, or -1 when none is queued. */
    int receive(byte[] into) throws Libc.ErrnoException {
        long n = SocketCalls.receive(state, fd, buffer);
        if (n == -SocketCalls.EAGAIN || n == -SocketCalls.EINTR) {
            return -1;
        }
        check(n, "recv");
        int length = (int) Math.min(n, Math.min(into.length, buffer.byteSize()));
        MemorySegment.copy(buffer, ValueLayout.JAVA_BYTE, 0, into, 0, length);
        return length;
    }

    private MemorySegment copy(byte[] data) {
        MemorySegment s = arena.allocate(data.length, 8);
        MemorySegment.copy(data, 0, s, ValueLayout.JAVA_BYTE, 0, data.length);
        return s;
    }

    private MemorySegment linkAddress(int ifindex, int protocol, byte[] hardwareAddress) {
        MemorySegment sa = arena.allocate(SOCKADDR_LL_BYTES, 4);
        sa.set(HOST_U16, 0, (short) SocketCalls.AF_PACKET);
        sa.set(HOST_U16, 2, (short) htons(protocol));
        sa.set(HOST_U32, 4, ifindex);
        sa.set(ValueLayout.JAVA_BYTE, 11, (byte) hardwareAddress.length);
        MemorySegment.copy(hardwareAddress, 0, sa, ValueLayout.JAVA_BYTE, 12, Math.min(8, hardwareAddress.length));
        return sa;
    }

    private void check(long rc, String call) throws Libc.ErrnoException {
        if (rc < 0) {
            throw new Libc.ErrnoException(call + " on " + what, (int) -rc);
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            Libc.close(fd);
            arena.close();
        }
    }
}
