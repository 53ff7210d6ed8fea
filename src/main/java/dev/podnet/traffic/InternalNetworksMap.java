package dev.podnet.traffic;

import dev.podnet.bpf.BpfException;
import dev.podnet.bpf.BpfMap;
import dev.podnet.config.Cidr;
import java.nio.ByteBuffer;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The kernel's copy of {@code internalNetworks}: an LPM trie keyed by {prefix length, 16 address bytes},
 * IPv4 networks as IPv4-mapped IPv6 (::ffff:a.b.c.d/96+n), so one lookup serves both families. Kept in
 * step with the config by adding what is new and deleting what is gone, so a reload never leaves the
 * programs with an empty trie (which would count everything as internet for a moment). Each change
 * bumps the generation the programs' per-CPU answer cache checks, so no answer outlives the trie it
 * came from.
 */
final class InternalNetworksMap {
    private static final int KEY_BYTES = 20;

    private final BpfMap trie;
    private final CacheGenerations generations;
    private Set<Cidr> current = Set.of();

    InternalNetworksMap(BpfMap trie, CacheGenerations generations) {
        this.trie = trie;
        this.generations = generations;
    }

    /** Makes the trie hold exactly {@code networks}; cheap when nothing changed. */
    synchronized void sync(List<Cidr> networks) throws BpfException {
        Set<Cidr> wanted = Set.copyOf(networks);
        if (wanted.equals(current)) {
            return;
        }
        for (Cidr added : wanted) {
            if (!current.contains(added)) {
                trie.update(key(added), new byte[] {1});
            }
        }
        Set<Cidr> kept = new HashSet<>(current);
        kept.removeAll(wanted);
        for (Cidr removed : kept) {
            trie.delete(key(removed));
        }
        current = wanted;
        generations.internalNetworksChanged();
    }

    static byte[] key(Cidr network) {
        ByteBuffer key = ByteBuffer.allocate(KEY_BYTES).order(BpfMap.order());
        if (network.ipv4()) {
            key.putInt(96 + network.prefix());
            key.put(new byte[10]).put((byte) 0xff).put((byte) 0xff).put(network.address());
        } else {
            key.putInt(network.prefix());
            key.put(network.address());
        }
        return key.array();
    }
}
