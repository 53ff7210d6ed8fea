package dev.podnet.probe.bpf;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * One record of a probe's event ring buffer, as events.h's {@code struct podnet_event} lays it out
 * (native byte order; keep the two in step). What {@code reason}, {@code value} and {@code phase} mean is
 * the probe's to say.
 *
 * @param family   {@link #AF_INET}, {@link #AF_INET6}, 0 when the record has no addresses
 * @param saddr    16 bytes, network order; IPv4 in the first 4
 */
record KernelEventRecord(int kind, long netns, long value, long reason, int cpu, int ifindex, int family,
                         int protocol, int state, int phase, int sport, int dport, byte[] saddr, byte[] daddr,
                         String device) {
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;
    /** sizeof(struct podnet_event). */
    static final int BYTES = 88;

    /**
     * @throws IllegalArgumentException when the record is shorter than the struct (another object's, or a
     *                                  kernel-side change not made here)
     */
    static KernelEventRecord decode(ByteBuffer b) {
        if (b.remaining() < BYTES) {
            throw new IllegalArgumentException("event record of " + b.remaining() + " bytes, expected " + BYTES);
        }
        int at = b.position();
        byte[] saddr = new byte[16];
        byte[] daddr = new byte[16];
        byte[] device = new byte[16];
        b.get(at + 36, saddr).get(at + 52, daddr).get(at + 68, device);
        int length = 0;
        while (length < device.length && device[length] != 0) {
            length++;
        }
        return new KernelEventRecord(b.getInt(at), Integer.toUnsignedLong(b.getInt(at + 4)), b.getLong(at + 8),
                Integer.toUnsignedLong(b.getInt(at + 16)), b.getInt(at + 20), b.getInt(at + 24),
                Byte.toUnsignedInt(b.get(at + 28)), Byte.toUnsignedInt(b.get(at + 29)), Byte.toUnsignedInt(b.get(at + 30)),
                Byte.toUnsignedInt(b.get(at + 31)), Short.toUnsignedInt(b.getShort(at + 32)),
                Short.toUnsignedInt(b.getShort(at + 34)), saddr, daddr,
                new String(device, 0, length, StandardCharsets.US_ASCII));
    }

    boolean hasAddresses() {
        return family == AF_INET || family == AF_INET6;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof KernelEventRecord r && kind == r.kind && netns == r.netns && value == r.value
                && reason == r.reason && cpu == r.cpu && ifindex == r.ifindex && family == r.family
                && protocol == r.protocol && state == r.state && phase == r.phase && sport == r.sport
                && dport == r.dport && Arrays.equals(saddr, r.saddr) && Arrays.equals(daddr, r.daddr)
                && device.equals(r.device);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(netns) * 31 + Long.hashCode(value) * 17 + kind;
    }

    @Override
    public String toString() {
        return "KernelEventRecord[kind=" + kind + ", netns=" + netns + ", value=" + value + ", reason=" + reason
                + ", cpu=" + cpu + ", family=" + family + ", protocol=" + protocol + ", " + sport + " -> " + dport + "]";
    }
}
