package dev.podnet.netlink;

import dev.podnet.netns.Netns;
import dev.podnet.netns.NetnsEnterer;
import dev.podnet.netns.NetnsVanishedException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One netlink socket of one protocol per network namespace, kept open between collections. Entering a
 * namespace (setns on the enterer's threads, one round trip at a time) cost more than the dump itself;
 * a socket created inside a namespace stays bound to it, so after the first collection a namespace's
 * dumps need no setns at all.
 *
 * <p>Identity: an open netlink socket holds a reference on its namespace, so while a socket is cached
 * its namespace cannot be freed and its inode cannot be handed to a new namespace: the inode is a safe
 * key. The flip side is that a dead pod's namespace (and the veth it holds) lives on until its socket
 * is closed; dumps on it keep answering as if nothing happened. So before each reuse the namespace's file
 * (/proc/&lt;pid&gt;/ns/net or its /run/netns mount) must still lead to that inode on nsfs, else the socket
 * is closed and the namespace reported vanished, and {@link #retainOnly} closes the sockets of
 * namespaces discovery no longer finds.
 *
 * <p>Threads: a socket is taken out of the cache while it is used and put back afterwards, so no two
 * threads ever use one socket. A socket whose use fails in any way is closed, not put back; the next
 * collection opens a new one.
 */
public final class NetlinkSocketCache implements AutoCloseable {
    private final NetnsEnterer enterer;
    private final int protocol;
    /** Idle sockets by namespace inode; a socket in use is not in here. */
    private final Map<Long, Cached> idle = new ConcurrentHashMap<>();
    private volatile boolean closed;

    /** A socket and the device of the namespace file it was opened through (nsfs's). */
    private record Cached(NetlinkSocket socket, Object device) {
    }

    /** Work with a namespace's socket, e.g. a dump and its parsing. */
    @FunctionalInterface
    public interface SocketWork<T> {
        T apply(NetlinkSocket socket) throws IOException;
    }

    public NetlinkSocketCache(NetnsEnterer enterer, int protocol) {
        this.enterer = enterer;
        this.protocol = protocol;
    }

    /** Runs {@code work} on the namespace's socket, opening one inside the namespace if none is cached. */
    public <T> T withSocket(Netns netns, SocketWork<T> work) throws IOException {
        return withSocket(netns, () -> true, work);
    }

    /**
     * Like {@link #withSocket(Netns, SocketWork)}, but when no socket is cached, opens one only if
     * {@code precondition} holds inside the namespace (checked in the same visit); returns null if not.
     *
     * @throws NetnsVanishedException when the namespace is gone, or its file leads to another namespace now
     */
    public <T> T withSocket(Netns netns, NetlinkSocket.Precondition precondition, SocketWork<T> work)
            throws IOException {
        if (closed) {
            throw new IllegalStateException("netlink socket cache is closed");
        }
        long inode = netns.inode();
        Cached cached = idle.remove(inode);
        if (cached != null) {
            try {
                requireSameNamespace(netns, cached.device());
            } catch (IOException | RuntimeException e) {
                cached.socket().close();
                throw e;
            }
        } else {
            cached = open(netns, precondition);
            if (cached == null) {
                return null;
            }
        }
        T result;
        try {
            result = work.apply(cached.socket());
        } catch (IOException | RuntimeException | Error e) {
            // EBADF, a dump cut short, a malformed answer: whatever state the socket is in, it is not reused
            cached.socket().close();
            throw e;
        }
        putBack(inode, cached);
        return result;
    }

    private Cached open(Netns netns, NetlinkSocket.Precondition precondition) throws IOException {
        Object device = nsfsDevice(netns);
        NetlinkSocket socket = NetlinkSocket.openIn(enterer, netns, protocol, precondition);
        return socket == null ? null : new Cached(socket, device);
    }

    /** The device of the namespace's file, which must lead to its inode now (the socket is opened next). */
    private Object nsfsDevice(Netns netns) throws IOException {
        Path file = enterer.nsFile(netns);
        Map<String, Object> attributes = stat(netns, file);
        long found = ((Number) attributes.get("ino")).longValue();
        if (found != netns.inode()) {
            throw new NetnsVanishedException(netns.inode(), file + " now leads to namespace " + found);
        }
        return attributes.get("dev");
    }

    /**
     * One stat of the namespace's file: the same nsfs inode on the same device as when the socket was
     * opened. A pid reused by a process of another namespace, or an unmounted /run/netns file, fails it.
     */
    private void requireSameNamespace(Netns netns, Object device) throws IOException {
        Path file = enterer.nsFile(netns);
        Map<String, Object> attributes = stat(netns, file);
        long found = ((Number) attributes.get("ino")).longValue();
        if (found != netns.inode() || !attributes.get("dev").equals(device)) {
            throw new NetnsVanishedException(netns.inode(), file + " now leads to namespace " + found
                    + (found == netns.inode() ? " on another device" : ""));
        }
    }

    private static Map<String, Object> stat(Netns netns, Path file) throws IOException {
        try {
            return Files.readAttributes(file, "unix:ino,dev");
        } catch (NoSuchFileException e) {
            throw new NetnsVanishedException(netns.inode(), file + " is gone");
        } catch (IOException e) {
            // ESRCH from a /proc/<pid> whose process is exiting
            if (!Files.exists(file.getParent())) {
                throw new NetnsVanishedException(netns.inode(), file + " is gone");
            }
            throw e;
        }
    }

    private void putBack(long inode, Cached cached) {
        if (closed || idle.putIfAbsent(inode, cached) != null) {
            cached.socket().close(); // closing, or another thread's socket for this namespace got back first
            return;
        }
        if (closed && idle.remove(inode, cached)) {
            cached.socket().close(); // close() drained the cache while we put it back
        }
    }

    /**
     * Closes the sockets of namespaces not in {@code live} (those discovery no longer finds): a cached
     * socket would otherwise keep a dead namespace alive. Call once per collection.
     */
    public void retainOnly(Collection<Netns> live) {
        Set<Long> inodes = new HashSet<>();
        for (Netns netns : live) {
            inodes.add(netns.inode());
        }
        for (Map.Entry<Long, Cached> entry : idle.entrySet()) {
            if (!inodes.contains(entry.getKey()) && idle.remove(entry.getKey(), entry.getValue())) {
                entry.getValue().socket().close();
            }
        }
    }

    /** Sockets open and idle now. */
    public int size() {
        return idle.size();
    }

    /** Closes every idle socket now; a socket in use is closed when its user hands it back. */
    @Override
    public void close() {
        closed = true;
        for (Map.Entry<Long, Cached> entry : idle.entrySet()) {
            if (idle.remove(entry.getKey(), entry.getValue())) {
                entry.getValue().socket().close();
            }
        }
    }
}
