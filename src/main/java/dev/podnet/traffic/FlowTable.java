package dev.podnet.traffic;

import java.io.ByteArrayOutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * User space's copy of the kernel's flow map, refreshed by every drain. It never holds more flows than
 * the kernel map (each of its flows is an entry there), in the order they were first seen, so that the
 * exposition keeps older flows when it must leave some out. A flow whose counters did not move for the
 * idle timeout is evicted here and in the kernel; flows of namespaces no task watches any more are
 * evicted at once.
 */
final class FlowTable {
    /** One flow and its latest counters; {@code key} is the kernel's key, for eviction. */
    record Flow(FlowTuple tuple, byte[] key, FlowLayout.Counters counters, String localAddress, String remoteAddress,
                long changedAtNanos) {
    }

    private final LinkedHashMap<FlowTuple, Flow> flows = new LinkedHashMap<>();
    private final int capacity;
    private long evictedIdle;
    private long droppedForMemory;

    /** @param capacity flows held at most; new flows beyond are evicted from the kernel too, and counted */
    FlowTable(int capacity) {
        this.capacity = capacity;
    }

    FlowTable() {
        this(Integer.MAX_VALUE);
    }

    /** One kernel entry as a drain read it. */
    record Entry(FlowTuple tuple, byte[] key, FlowLayout.Counters counters) {
        static Entry of(MemorySegment key, MemorySegment value) {
            return new Entry(FlowLayout.tuple(key), key.toArray(ValueLayout.JAVA_BYTE), FlowLayout.Counters.of(value));
        }
    }

    /**
     * Takes a full read of the kernel map: updates and adds flows, drops the ones the kernel no longer
     * has, and returns the kernel keys to delete (idle flows, and flows of namespaces not watched), packed
     * back to back.
     */
    synchronized byte[] refresh(List<Entry> kernel, Set<Long> watched, long nowNanos, Duration idleTimeout) {
        ByteArrayOutputStream evict = new ByteArrayOutputStream();
        Map<FlowTuple, Flow> seen = new HashMap<>(kernel.size() * 2);
        for (Entry e : kernel) {
            if (!watched.contains(e.tuple().netns())) {
                evict.writeBytes(e.key());
                continue;
            }
            Flow old = flows.get(e.tuple());
            Flow now = old == null
                    ? new Flow(e.tuple(), e.key(), e.counters(), e.tuple().localAddress(), e.tuple().remoteAddress(), nowNanos)
                    : new Flow(old.tuple(), old.key(), e.counters(), old.localAddress(), old.remoteAddress(),
                            e.counters().sameTraffic(old.counters()) ? old.changedAtNanos() : nowNanos);
            seen.put(e.tuple(), now);
        }
        long idleNanos = idleTimeout.toNanos();
        for (Iterator<Map.Entry<FlowTuple, Flow>> it = flows.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<FlowTuple, Flow> entry = it.next();
            Flow now = seen.remove(entry.getKey());
            if (now == null) {
                it.remove(); // gone from the kernel (evicted, or its namespace's entries cleared)
            } else if (nowNanos - now.changedAtNanos() >= idleNanos) {
                it.remove();
                evict.writeBytes(now.key());
                evictedIdle++;
            } else {
                entry.setValue(now);
            }
        }
        for (Flow added : seen.values()) {
            if (flows.size() >= capacity) {
                evict.writeBytes(added.key()); // the heap holds no more: the kernel lets it go too
                droppedForMemory++;
                continue;
            }
            flows.put(added.tuple(), added); // new flows go last: the table stays in first-seen order
        }
        return evict.toByteArray();
    }

    /** The flows of each watched namespace, oldest first. */
    synchronized Map<Long, List<Flow>> byNamespace() {
        Map<Long, List<Flow>> result = new HashMap<>();
        for (Flow f : flows.values()) {
            result.computeIfAbsent(f.tuple().netns(), n -> new ArrayList<>()).add(f);
        }
        return result;
    }

    synchronized int size() {
        return flows.size();
    }

    synchronized long droppedForMemory() {
        return droppedForMemory;
    }

    synchronized long evictedIdle() {
        return evictedIdle;
    }
}
