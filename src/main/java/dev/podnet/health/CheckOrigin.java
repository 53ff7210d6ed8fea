package dev.podnet.health;

import dev.podnet.netns.Netns;
import dev.podnet.netns.NetnsEnterer;
import java.io.IOException;
import java.util.concurrent.Callable;
import java.util.function.Supplier;

/**
 * The network namespace checks are sent from. A socket belongs to the namespace of the thread that
 * created it, whichever thread uses it afterwards, so only the creation of each socket (and of the
 * netlink socket of a route lookup) runs here; sending and waiting happen on the checking thread.
 *
 * <p>Kubelet probes come from the node's own namespace. When the agent runs in it (host network, or a
 * plain process on the host) {@link #own()} is that namespace; an agent in a pod namespace of its own
 * passes the host's namespace to {@link #of(NetnsEnterer, Netns)} instead.
 */
public interface CheckOrigin {

    /** Runs {@code opener} (which creates a socket) in the origin namespace and returns its result. */
    <T> T open(Callable<T> opener) throws IOException;

    /** The namespace of the agent itself. */
    static CheckOrigin own() {
        return new CheckOrigin() {
            @Override
            public <T> T open(Callable<T> opener) throws IOException {
                try {
                    return opener.call();
                } catch (IOException | RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new IOException(e.getMessage(), e);
                }
            }

            @Override
            public String toString() {
                return "the agent's namespace";
            }
        };
    }

    /** Another namespace (e.g. the host's, that of pid 1), entered briefly for each socket. */
    static CheckOrigin of(NetnsEnterer enterer, Netns netns) {
        return new CheckOrigin() {
            @Override
            public <T> T open(Callable<T> opener) throws IOException {
                return enterer.call(netns, opener);
            }

            @Override
            public String toString() {
                return "namespace " + netns.inode();
            }
        };
    }

    /**
     * The namespace {@code netns} names at each socket's creation (the host's, as the last discovery
     * found it), or the agent's own while it names none.
     */
    static CheckOrigin following(NetnsEnterer enterer, Supplier<Netns> netns) {
        return new CheckOrigin() {
            @Override
            public <T> T open(Callable<T> opener) throws IOException {
                Netns current = netns.get();
                return current == null ? own().open(opener) : enterer.call(current, opener);
            }

            @Override
            public String toString() {
                Netns current = netns.get();
                return current == null ? "the agent's namespace" : "namespace " + current.inode();
            }
        };
    }
}
