package dev.podnet.netlink;

import dev.podnet.netns.Libc;
import dev.podnet.netns.Netns;
import dev.podnet.netns.NetnsEnterer;
import dev.podnet.netns.NetnsVanishedException;
import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * An AF_NETLINK socket. A netlink socket answers for the namespace it was created in, whichever thread
 * uses it later, so it is created inside the namespace (on the enterer's thread, briefly) and then used
 * by the caller's thread: the dump itself does not hold up the enterer. It also holds a reference on
 * that namespace: the namespace (and its devices) lives on until the socket is closed.
 *
 * <p>Not thread-safe, but not bound to a thread either: one thread at a time, e.g. as handed out by
 * {@link NetlinkSocketCache}. The buffers of a dump are borrowed for the dump only ({@link DumpBuffers}).
 */
public final class NetlinkSocket implements AutoCloseable {
    public static final int NETLINK_ROUTE = 0;
    public static final int NETLINK_SOCK_DIAG = 4;
    private static final long RECEIVE_TIMEOUT_MILLIS = 5_000;
    private static final Path THREAD_NETNS = Path.of("/proc/thread-self/ns/net");

    private final int fd;
    private final String protocolName;
    private int seq;
    private boolean closed;

    private NetlinkSocket(int fd, String protocolName) {
        this.fd = fd;
        this.protocolName = protocolName;
    }

    /**
     * Opens a socket of {@code protocol} inside {@code netns}.
     *
     * @throws NetnsVanishedException when the namespace is gone, or its process was replaced by one in
     *                                another namespace (a reused pid must not lend us the wrong namespace)
     */
    public static NetlinkSocket openIn(NetnsEnterer enterer, Netns netns, int protocol) throws IOException {
        return openIn(enterer, netns, protocol, () -> true);
    }

    /** Something to check inside the namespace, in the same visit, before a socket is opened there. */
    @FunctionalInterface
    public interface Precondition {
        boolean holds() throws IOException;
    }

    /**
     * Opens a socket of {@code protocol} inside {@code netns} if {@code precondition}, checked in there
     * first, holds; null if it does not (the caller then needs no dump at all).
     */
    public static NetlinkSocket openIn(NetnsEnterer enterer, Netns netns, int protocol, Precondition precondition)
            throws IOException {
        int fd = enterer.call(netns, () -> {
            long inside = currentNetnsInode();
            if (inside != netns.inode()) {
                throw new NetnsVanishedException(netns.inode(), "entering it led to namespace " + inside + " instead");
            }
            return precondition.holds() ? openHere(protocol) : -1;
        });
        return fd < 0 ? null : adopt(fd, protocol);
    }

    /** Opens a socket of {@code protocol} in the calling thread's own namespace. */
    public static NetlinkSocket open(int protocol) throws IOException {
        return adopt(openHere(protocol), protocol);
    }

    private static NetlinkSocket adopt(int fd, int protocol) {
        try {
            return new NetlinkSocket(fd, protocolName(protocol));
        } catch (RuntimeException | Error e) {
            NetlinkCalls.close(fd); // do not leak the descriptor (and the namespace it pins)
            throw e;
        }
    }

    /** The descriptor, for tests that break a socket on purpose. */
    int fd() {
        return fd;
    }

    private static int openHere(int protocol) throws Libc.ErrnoException {
        int fd = NetlinkCalls.socket(protocol);
        try {
            NetlinkCalls.receiveTimeout(fd, RECEIVE_TIMEOUT_MILLIS);
        } catch (Libc.ErrnoException e) {
            NetlinkCalls.close(fd);
            throw e;
        }
        return fd;
    }

    private static long currentNetnsInode() throws IOException {
        String target = Files.readSymbolicLink(THREAD_NETNS).toString(); // "net:[4026531840]"
        int open = target.indexOf('[');
        int close = target.indexOf(']');
        if (open < 0 || close < open) {
            throw new IOException("unexpected " + THREAD_NETNS + " link: " + target);
        }
        return Long.parseLong(target, open + 1, close, 10);
    }

    private static String protocolName(int protocol) {
        return switch (protocol) {
            case NETLINK_ROUTE -> "NETLINK_ROUTE";
            case NETLINK_SOCK_DIAG -> "NETLINK_SOCK_DIAG";
            default -> "netlink protocol " + protocol;
        };
    }

    /**
     * Sends a dump request of {@code kind} with {@code payload} and passes every answer to {@code handler}
     * until the kernel says the dump is done.
     */
    public void dump(NetlinkMessages.DumpKind kind, byte[] payload, NetlinkMessages.Handler handler) throws IOException {
        exchange(kind, payload, handler, true);
    }

    /** Sends a request for one object of {@code kind} (no NLM_F_DUMP) and passes its answer to {@code handler}. */
    public void get(NetlinkMessages.DumpKind kind, byte[] payload, NetlinkMessages.Handler handler) throws IOException {
        exchange(kind, payload, handler, false);
    }

    private void exchange(NetlinkMessages.DumpKind kind, byte[] payload, NetlinkMessages.Handler handler, boolean dump)
            throws IOException {
        if (closed) {
            throw new IllegalStateException(protocolName + " socket is closed");
        }
        DumpBuffers buffers = DumpBuffers.take();
        try {
            exchange(kind, payload, handler, dump, buffers);
        } finally {
            buffers.release();
        }
    }

    private void exchange(NetlinkMessages.DumpKind kind, byte[] payload, NetlinkMessages.Handler handler, boolean dump,
                          DumpBuffers buffers) throws IOException {
        int mySeq = ++seq;
        byte[] message = dump ? NetlinkMessages.dumpRequest(kind, mySeq, payload)
                : NetlinkMessages.singleRequest(kind, mySeq, payload);
        MemorySegment out = buffers.request.asSlice(0, message.length);
        MemorySegment.copy(MemorySegment.ofArray(message), 0, out, 0, message.length);
        NetlinkCalls.send(fd, out, buffers.callState, kind.requestName());
        MemorySegment buffer = buffers.receive;
        while (true) {
            long length;
            try {
                length = NetlinkCalls.receive(fd, buffer, buffers.callState, kind.requestName());
            } catch (Libc.ErrnoException e) {
                if (e.errno() == NetlinkCalls.EAGAIN) {
                    throw new IOException(kind.requestName() + " dump: no answer from the kernel in "
                            + RECEIVE_TIMEOUT_MILLIS + " ms", e);
                }
                throw e;
            }
            if (length == 0) {
                throw new MalformedNetlinkException(kind.requestName() + " dump: empty datagram before NLMSG_DONE");
            }
            if (length > buffer.byteSize()) {
                throw new MalformedNetlinkException(kind.requestName() + " dump: a " + length
                        + "-byte datagram does not fit the " + buffer.byteSize() + "-byte receive buffer");
            }
            if (NetlinkMessages.walk(buffer.asSlice(0, length), kind, mySeq, handler)) {
                return;
            }
        }
    }

    @Override
    public void close() {
        if (!closed) {
            closed = true;
            NetlinkCalls.close(fd);
        }
    }
}
