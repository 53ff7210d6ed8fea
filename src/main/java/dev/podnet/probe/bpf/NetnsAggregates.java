package dev.podnet.probe.bpf;

import dev.podnet.bpf.BpfException;
import dev.podnet.bpf.BpfMap;
import dev.podnet.probe.HistogramData;
import java.nio.ByteBuffer;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Decoders for podnet.h's aggregate maps: keys are struct netns_key {u32 netns; u32 label}, values
 * a u64 counter or a struct log2_hist {u64 slots[N]; u64 sum}, per CPU or not. Per-CPU values are
 * summed over every possible CPU.
 */
public final class NetnsAggregates {
    /** Width of struct netns_key. */
    public static final int KEY_BYTES = 8;

    private NetnsAggregates() {
    }

    /** A decoded struct netns_key: the namespace inode (0: not known) and the map's own label. */
    public record Key(long netns, int label) {
        public static Key decode(byte[] raw) {
            ByteBuffer b = ByteBuffer.wrap(raw).order(BpfMap.order());
            return new Key(Integer.toUnsignedLong(b.getInt(0)), b.getInt(4));
        }
    }

    public static Map<Key, Long> counters(BpfMap map, List<BpfMap.Entry> entries) throws BpfException {
        checkKeys(map);
        Map<Key, Long> result = new LinkedHashMap<>();
        for (BpfMap.Entry e : entries) {
            result.merge(Key.decode(e.key()), map.sumLong(e.value(), 0), Long::sum);
        }
        return result;
    }

    /**
     * Log2 histograms; the slot count follows from the value size ((size / 8) - 1 slots, then the sum).
     *
     * @param unit size of one kernel unit in the exported unit, see {@link Log2Histogram#toHistogram}
     */
    public static Map<Key, HistogramData> log2Histograms(BpfMap map, List<BpfMap.Entry> entries, double unit)
            throws BpfException {
        checkKeys(map);
        int fields = map.valueSize() / 8;
        if (fields < 3 || map.valueSize() % 8 != 0) {
            throw new BpfException(map + ": values of " + map.valueSize() + " bytes are no log2 histogram");
        }
        Map<Key, HistogramData> result = new LinkedHashMap<>();
        for (BpfMap.Entry e : entries) {
            long[] slots = new long[fields - 1];
            for (int i = 0; i < slots.length; i++) {
                slots[i] = map.sumLong(e.value(), i * 8);
            }
            long sum = map.sumLong(e.value(), (fields - 1) * 8);
            result.put(Key.decode(e.key()), Log2Histogram.toHistogram(slots, sum, unit));
        }
        return result;
    }

    private static void checkKeys(BpfMap map) throws BpfException {
        if (map.keySize() != KEY_BYTES) {
            throw new BpfException(map + ": keys of " + map.keySize() + " bytes are no struct netns_key");
        }
    }
}
