package dev.podnet.probe.bpf;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.ToLongFunction;

/**
 * Decides which keys of an aggregate map belong to namespaces that are gone, so their entries can be
 * deleted and pod churn never fills the map. A namespace counts as gone only when two consecutive
 * discoveries missed it: one created between discovery and the map read is never swept by mistake.
 * Entries without a namespace (inode 0) are never swept.
 */
final class StaleNetnsSweeper {
    private Set<Long> missingLastTime = Set.of();

    /**
     * @param keys  the map's keys, as read now
     * @param netns the namespace inode of a key
     * @param alive the inodes of this collection's discovery; empty means discovery failed: sweep nothing
     */
    synchronized <K> List<K> stale(List<K> keys, ToLongFunction<K> netns, Set<Long> alive) {
        if (alive.isEmpty()) {
            return List.of();
        }
        Set<Long> missing = new HashSet<>();
        List<K> stale = new ArrayList<>();
        for (K key : keys) {
            long inode = netns.applyAsLong(key);
            if (inode == 0 || alive.contains(inode)) {
                continue;
            }
            missing.add(inode);
            if (missingLastTime.contains(inode)) {
                stale.add(key);
            }
        }
        missingLastTime = missing;
        return stale;
    }
}
