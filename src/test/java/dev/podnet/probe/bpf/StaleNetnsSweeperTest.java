package dev.podnet.probe.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class StaleNetnsSweeperTest {
    @Test
    void sweepsOnlyNamespacesMissingFromTwoDiscoveriesInARow() {
        StaleNetnsSweeper sweeper = new StaleNetnsSweeper();
        List<Long> keys = List.of(1L, 2L, 3L, 0L);
        assertEquals(List.of(), sweeper.stale(keys, k -> k, Set.of(1L, 2L)), "3 missing once: not yet");
        assertEquals(List.of(3L), sweeper.stale(keys, k -> k, Set.of(1L, 2L)), "3 missing twice: stale");
        assertEquals(List.of(), sweeper.stale(List.of(1L, 2L, 3L), k -> k, Set.of(1L, 2L, 3L)), "3 is back");
        assertEquals(List.of(), sweeper.stale(List.of(2L), k -> k, Set.of(1L)), "2 missing once since it came back");
    }

    @Test
    void neverSweepsUnknownNamespaceOrAfterAFailedDiscovery() {
        StaleNetnsSweeper sweeper = new StaleNetnsSweeper();
        List<Long> keys = List.of(0L, 5L);
        sweeper.stale(keys, k -> k, Set.of(1L));
        assertEquals(List.of(5L), sweeper.stale(keys, k -> k, Set.of(1L)), "inode 0 never");
        StaleNetnsSweeper other = new StaleNetnsSweeper();
        other.stale(keys, k -> k, Set.of());
        assertEquals(List.of(), other.stale(keys, k -> k, Set.of()), "empty discovery: nothing is known to be gone");
    }
}
