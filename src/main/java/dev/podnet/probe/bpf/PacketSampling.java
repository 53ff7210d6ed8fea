package dev.podnet.probe.bpf;

import dev.podnet.bpf.BpfMap;
import java.math.BigInteger;
import java.nio.ByteBuffer;
import java.util.Map;

/**
 * {@code probeSettings.<probe>.sampleEvery}: a probe that runs for every packet times about one packet
 * in N (per phase and CPU, see netiftx.bpf.c), so that its cost on a fast stream stays small. Its
 * histograms then count sampled packets: their {@code _count} is about packets / N, while their
 * quantiles and mean stay unbiased (the kernel picks packets at random intervals, not by content).
 *
 * @param every N, 1 for every packet
 */
record PacketSampling(int every) {
    static final String SETTING = "sampleEvery";
    /** Large enough for any use; keeps the kernel's 2N - 1 within 32 bits. */
    static final int MAX_EVERY = 1 << 20;

    PacketSampling {
        if (every < 1 || every > MAX_EVERY) {
            throw new IllegalArgumentException("sampleEvery " + every + " is outside 1.." + MAX_EVERY);
        }
    }

    /**
     * The probe's setting, or {@code defaultEvery} when it has none.
     *
     * @throws IllegalArgumentException naming the setting when it is not a whole number from 1 to {@link #MAX_EVERY}
     */
    static PacketSampling of(String probe, Map<String, Object> settings, int defaultEvery) {
        Object value = settings.get(SETTING);
        if (value == null) {
            return new PacketSampling(defaultEvery);
        }
        boolean whole = value instanceof Integer || value instanceof Long || value instanceof Short
                || value instanceof Byte || value instanceof BigInteger;
        if (!whole || value instanceof BigInteger big && big.bitLength() > 31
                || ((Number) value).longValue() < 1 || ((Number) value).longValue() > MAX_EVERY) {
            throw new IllegalArgumentException("probeSettings." + probe + "." + SETTING
                    + ": expected a whole number of packets from 1 (every packet) to " + MAX_EVERY + ", got "
                    + (value instanceof String ? "\"" + value + "\"" : value));
        }
        return new PacketSampling(((Number) value).intValue());
    }

    /** The fraction of packets observed, 1 / N, as exported next to the histograms. */
    double ratio() {
        return 1.0 / every;
    }

    /** The object's {@code .rodata} image: {@code const volatile __u32 sample_every}, its only constant. */
    byte[] rodata() {
        return ByteBuffer.allocate(Integer.BYTES).order(BpfMap.order()).putInt(0, every).array();
    }
}
