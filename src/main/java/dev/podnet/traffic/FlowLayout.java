package dev.podnet.traffic;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;

/**
 * The layout of traffic.bpf.c's struct traffic_flow_key and struct traffic_flow, as user space reads
 * them. {@link TrafficObject} checks the map's key and value sizes against these at load.
 */
final class FlowLayout {
    static final int KEY_SIZE = 44;
    static final int VALUE_SIZE = 64;

    static final int PROTOCOL_TCP = 6;
    static final int PROTOCOL_UDP = 17;
    static final int FAMILY_IPV4 = 0;

    private static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.nativeOrder());
    private static final ValueLayout.OfLong BE64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.BIG_ENDIAN);

    private FlowLayout() {
    }

    static FlowTuple tuple(MemorySegment key) {
        return new FlowTuple(Integer.toUnsignedLong(key.get(U32, 0)), Byte.toUnsignedInt(key.get(ValueLayout.JAVA_BYTE, 4)),
                Byte.toUnsignedInt(key.get(ValueLayout.JAVA_BYTE, 5)), key.get(BE64, 12), key.get(BE64, 20),
                Short.toUnsignedInt(key.get(U16, 6)), key.get(BE64, 28), key.get(BE64, 36), Short.toUnsignedInt(key.get(U16, 8)));
    }

    /** The kernel's counters of one flow: bytes and packets by direction (receive, transmit). */
    record Counters(long receiveBytes, long transmitBytes, long receivePackets, long transmitPackets, long retransmits,
                    long drops, int srttMicros) {
        static Counters of(MemorySegment value) {
            return new Counters(value.get(U64, 0), value.get(U64, 8), value.get(U64, 16), value.get(U64, 24),
                    value.get(U64, 32), value.get(U64, 40), value.get(U32, 56));
        }

        boolean sameTraffic(Counters other) {
            return other != null && receivePackets == other.receivePackets && transmitPackets == other.transmitPackets
                    && retransmits == other.retransmits && drops == other.drops;
        }
    }
}
