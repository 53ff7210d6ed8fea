package dev.podnet.probe.bpf;

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
import java.net.Inet4Address;

/**
 * IPv4 sockets java.net does not offer (raw, ICMP ping) through FFM, for tests. The socket belongs to
 * the network namespace of the thread that opens it.
 */
final class NativeInetSocket implements AutoCloseable {
    static final int SOCK_DGRAM = 2;
    static final int SOCK_RAW = 3;
    static final int IPPROTO_ICMP = 1;
    private static final int AF_INET = 2;
    private static final int SOL_SOCKET = 1;
    private static final int SO_RCVBUF = 8;

    private static final Linker LINKER = Linker.nativeLinker();
    private static final StructLayout STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle SOCKET = call("socket",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle SETSOCKOPT = call("setsockopt", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle SENDTO = call("sendto", FunctionDescriptor.of(ValueLayout.JAVA_LONG,
            ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG, ValueLayout.JAVA_INT, ValueLayout.ADDRESS,
            ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE = call("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private final int fd;

    private static MethodHandle call(String name, FunctionDescriptor descriptor) {
        return LINKER.downcallHandle(LINKER.defaultLookup().find(name).orElseThrow(), descriptor,
                Linker.Option.captureCallState("errno"));
    }

    /** Opens socket(AF_INET, type, protocol) in the calling thread's namespace. */
    NativeInetSocket(int type, int protocol) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(STATE);
            fd = (int) SOCKET.invokeExact(state, AF_INET, type, protocol);
            check(fd, "socket(AF_INET, " + type + ", " + protocol + ")", state);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    /** SO_RCVBUF; the kernel doubles it and enforces its minimum (a few KiB). */
    void receiveBuffer(int bytes) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(STATE);
            MemorySegment value = arena.allocateFrom(ValueLayout.JAVA_INT, bytes);
            check((int) SETSOCKOPT.invokeExact(state, fd, SOL_SOCKET, SO_RCVBUF, value, 4), "setsockopt(SO_RCVBUF)", state);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    /** Sends one datagram with this payload; the kernel writes the IP header (and, for ping sockets, the ICMP id and checksum). */
    void send(Inet4Address to, byte[] payload) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = arena.allocate(STATE);
            MemorySegment address = arena.allocate(16, 4); // struct sockaddr_in
            address.set(ValueLayout.JAVA_SHORT, 0, (short) AF_INET);
            MemorySegment.copy(to.getAddress(), 0, address, ValueLayout.JAVA_BYTE, 4, 4);
            MemorySegment data = arena.allocateFrom(ValueLayout.JAVA_BYTE, payload);
            long sent = (long) SENDTO.invokeExact(state, fd, data, (long) payload.length, 0, address, 16);
            check(sent, "sendto(" + to.getHostAddress() + ")", state);
        } catch (IOException | RuntimeException e) {
            throw e;
        } catch (Throwable t) {
            throw new IOException(t);
        }
    }

    private static void check(long rc, String what, MemorySegment state) throws IOException {
        if (rc < 0) {
            throw new IOException(what + " failed, errno " + (int) ERRNO.get(state, 0L));
        }
    }

    @Override
    public void close() {
        try (Arena arena = Arena.ofConfined()) {
            int ignored = (int) CLOSE.invokeExact(arena.allocate(STATE), fd);
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        }
    }
}
