package dev.podnet.probe;

import dev.podnet.config.Cidr;
import dev.podnet.netns.Netns;
import dev.podnet.netns.NetnsEnterer;
import java.nio.file.Path;
import java.util.List;

/**
 * What a node-wide probe sees of the host during one collection.
 *
 * @param procRoot   the procfs root (normally /proc)
 * @param namespaces every network namespace found by this collection's discovery
 * @param host       the host's own namespace
 * @param enterer    runs work inside a namespace (netlink sockets, /proc/thread-self reads)
 * @param internalNetworks networks that are not the internet (config {@code internalNetworks}), reloadable
 * @param flowWatches the namespaces whose flows monitoring tasks ask for, and what they ask
 */
public record NodeView(Path procRoot, List<Netns> namespaces, Netns host, NetnsEnterer enterer,
                       List<Cidr> internalNetworks, List<FlowWatch> flowWatches) {

    public NodeView(Path procRoot, List<Netns> namespaces, Netns host, NetnsEnterer enterer, List<Cidr> internalNetworks) {
        this(procRoot, namespaces, host, enterer, internalNetworks, List.of());
    }
}
