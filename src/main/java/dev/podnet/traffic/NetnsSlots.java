package dev.podnet.traffic;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalInt;

/**
 * Hands out the kernel's per-namespace counter slots (indexes of the per-CPU array). A released slot
 * is not reused at once: a packet that looked its namespace up just before the release may still add to
 * it, so it rests for one collection ({@link #recycle}), and its new owner gets it zeroed.
 */
final class NetnsSlots {
    private final ArrayDeque<Integer> free = new ArrayDeque<>();
    private final List<Integer> resting = new ArrayList<>();
    private final Map<Long, Integer> owners = new HashMap<>();

    NetnsSlots(int capacity) {
        for (int i = 0; i < capacity; i++) {
            free.add(i);
        }
    }

    /** The namespace's slot, taken now if it has none; empty when all are in use. */
    synchronized OptionalInt acquire(long netns) {
        Integer slot = owners.get(netns);
        if (slot == null) {
            slot = free.poll();
            if (slot == null) {
                return OptionalInt.empty();
            }
            owners.put(netns, slot);
        }
        return OptionalInt.of(slot);
    }

    synchronized OptionalInt slotOf(long netns) {
        Integer slot = owners.get(netns);
        return slot == null ? OptionalInt.empty() : OptionalInt.of(slot);
    }

    /** Gives the slot back; it is handed out again after the next {@link #recycle}. */
    synchronized void release(long netns) {
        Integer slot = owners.remove(netns);
        if (slot != null) {
            resting.add(slot);
        }
    }

    /** Makes the slots released before this call available again. Call once per collection. */
    synchronized void recycle() {
        free.addAll(resting);
        resting.clear();
    }

    synchronized Map<Long, Integer> owners() {
        return Map.copyOf(owners);
    }
}
