package dev.podnet.k8s;

import dev.podnet.netns.Netns;
import dev.podnet.netns.NetnsEnterer;
import dev.podnet.netns.NetnsReader;
import dev.podnet.netns.NetnsReaders;
import dev.podnet.netns.NetnsVanishedException;
import dev.podnet.procfs.FibTrieParser;
import dev.podnet.procfs.IfInet6Parser;
import dev.podnet.procfs.ProcText;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Reads the addresses configured inside every namespace of a collection ({@code net/fib_trie} for IPv4,
 * {@code net/if_inet6} for IPv6) into an {@link AddressIndex}. Two small files per namespace, read
 * through a process inside it or, for a namespace without one, by entering it. The host's namespace is
 * skipped: no pod with its own namespace lives there.
 */
public final class NetnsAddressReader implements Function<List<Netns>, AddressIndex> {
    private static final Logger LOG = Logger.getLogger(NetnsAddressReader.class.getName());

    private final Path procRoot;
    private final NetnsEnterer enterer;

    public NetnsAddressReader(Path procRoot, NetnsEnterer enterer) {
        this.procRoot = procRoot;
        this.enterer = enterer;
    }

    @Override
    public AddressIndex apply(List<Netns> namespaces) {
        AddressIndex.Builder index = new AddressIndex.Builder();
        for (Netns netns : namespaces) {
            if (netns.host()) {
                continue;
            }
            try {
                index.add(netns.inode(), addresses(NetnsReaders.forNetns(procRoot, netns, enterer)));
            } catch (NetnsVanishedException e) {
                // gone since discovery: it has no pod to attribute any more
            } catch (IOException | RuntimeException e) {
                LOG.log(Level.FINE, "cannot read the addresses of netns " + netns.inode(), e);
            }
        }
        return index.build();
    }

    /** Every address configured in the namespace the reader sees, IPv4 then IPv6. */
    public static List<InetAddress> addresses(NetnsReader reader) throws IOException {
        List<InetAddress> all = new ArrayList<>();
        byte[] fib = reader.read("net/fib_trie");
        if (fib != null) {
            all.addAll(FibTrieParser.parse(ProcText.ascii(fib)).addresses());
        }
        byte[] inet6 = reader.read("net/if_inet6");
        if (inet6 != null) { // absent when IPv6 is disabled in that namespace
            for (IfInet6Parser.Address a : IfInet6Parser.parse(ProcText.ascii(inet6)).addresses()) {
                all.add(a.address());
            }
        }
        return all;
    }
}
