package dev.podnet.k8s;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which network namespace holds each IP address. Addresses that every namespace has or that are not
 * unique on a node (loopback, link-local, multicast) are left out: a pod IP is never one of them. An
 * address found in two namespaces is ambiguous and matches neither, because attributing a namespace to
 * the wrong pod is worse than not attributing it.
 */
public final class AddressIndex {
    public static final AddressIndex EMPTY = new Builder().build();

    private final Map<InetAddress, Long> owners;
    private final Set<InetAddress> ambiguous;

    private AddressIndex(Map<InetAddress, Long> owners, Set<InetAddress> ambiguous) {
        this.owners = owners;
        this.ambiguous = ambiguous;
    }

    /** The inode of the namespace holding this address, or -1 when none or several hold it. */
    public long owner(InetAddress address) {
        return owners.getOrDefault(address, -1L);
    }

    public boolean ambiguous(InetAddress address) {
        return ambiguous.contains(address);
    }

    public int size() {
        return owners.size();
    }

    /** The addresses only this namespace holds, in no particular order. */
    public List<InetAddress> addressesOf(long inode) {
        List<InetAddress> mine = new ArrayList<>();
        owners.forEach((address, owner) -> {
            if (owner == inode) {
                mine.add(address);
            }
        });
        return mine;
    }

    public static final class Builder {
        private final Map<InetAddress, Long> owners = new HashMap<>();
        private final Set<InetAddress> ambiguous = new HashSet<>();

        public Builder add(long inode, Collection<InetAddress> addresses) {
            for (InetAddress address : addresses) {
                if (!candidate(address) || ambiguous.contains(address)) {
                    continue;
                }
                Long previous = owners.putIfAbsent(address, inode);
                if (previous != null && previous != inode) {
                    owners.remove(address);
                    ambiguous.add(address);
                }
            }
            return this;
        }

        public AddressIndex build() {
            return new AddressIndex(Map.copyOf(owners), Set.copyOf(ambiguous));
        }

        private static boolean candidate(InetAddress a) {
            if (a.isLoopbackAddress() || a.isLinkLocalAddress() || a.isAnyLocalAddress() || a.isMulticastAddress()) {
                return false;
            }
            // IPv4-compatible/mapped IPv6 forms are never configured as pod addresses
            return !(a instanceof Inet6Address v6) || !v6.isIPv4CompatibleAddress();
        }
    }
}
