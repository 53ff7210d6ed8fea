package dev.podnet.probe.bpf;

import dev.podnet.bpf.BpfException;
import dev.podnet.bpf.BpfMap;
import dev.podnet.bpf.BpfObject;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * {@code probeSettings.<probe>.sampleEvery}: a latency probe whose programs run for every packet or
 * softirq times about one event in N (per phase and CPU, see latency.h), so that its cost on a busy node
 * stays small. Its histograms then count sampled events: their {@code _count} is about events / N,
 * while their buckets, quantiles and mean stay unbiased (the kernel picks events at random intervals,
 * never by content).
 *
 * @param every N, 1 for every event
 */
record Sampling(int every) {
    static final String SETTING = "sampleEvery";
    /** Large enough for any use; keeps the kernel's 2N - 1 within 32 bits. */
    static final int MAX_EVERY = 1 << 20;

    Sampling {
        if (every < 1 || every > MAX_EVERY) {
            throw new IllegalArgumentException("sampleEvery " + every + " is outside 1.." + MAX_EVERY);
        }
    }

    /**
     * The probe's setting, or {@code defaultEvery} when it has none.
     *
     * @param unit what is sampled, singular: "packet", "softirq"
     * @throws IllegalArgumentException naming the setting when it is not a whole number from 1 to {@link #MAX_EVERY}
     */
    static Sampling of(String probe, Map<String, Object> settings, int defaultEvery, String unit) {
        Object value = settings.get(SETTING);
        if (value == null) {
            return new Sampling(defaultEvery);
        }
        boolean whole = value instanceof Integer || value instanceof Long || value instanceof Short
                || value instanceof Byte || value instanceof BigInteger;
        if (!whole || value instanceof BigInteger big && big.bitLength() > 31
                || ((Number) value).longValue() < 1 || ((Number) value).longValue() > MAX_EVERY) {
            throw new IllegalArgumentException("probeSettings." + probe + "." + SETTING + ": expected a whole number of "
                    + unit + "s from 1 (every " + unit + ") to " + MAX_EVERY + ", got "
                    + (value instanceof String ? "\"" + value + "\"" : value));
        }
        return new Sampling(((Number) value).intValue());
    }

    /** The fraction of events observed, 1 / N, as exported next to the histograms. */
    double ratio() {
        return 1.0 / every;
    }

    /** The object's {@code .rodata} image: latency.h's {@code const volatile __u32 sample_every}, its only constant. */
    byte[] rodata() {
        return ByteBuffer.allocate(Integer.BYTES).order(BpfMap.order()).putInt(0, every).array();
    }

    /** Sets the interval in an opened, not yet loaded object. */
    void applyTo(BpfObject opened) throws BpfException {
        opened.map(".rodata").setInitialValue(rodata());
    }
}
