package dev.podnet.netlink;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Explicit little-endian, unaligned reads of netlink structures (host order on every platform podnet
 * supports; spelled out so a fixture parses the same everywhere), and the 4-byte alignment rule shared
 * by NLMSG_ALIGN and RTA_ALIGN.
 */
final class NetlinkBytes {
    static final ValueLayout.OfShort U16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfInt U32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    static final ValueLayout.OfLong U64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private NetlinkBytes() {
    }

    /** NLMSG_ALIGN / RTA_ALIGN: lengths round up to 4 bytes. */
    static long align(long length) {
        return (length + 3) & ~3L;
    }

    static int u8(MemorySegment s, long offset) {
        return Byte.toUnsignedInt(s.get(ValueLayout.JAVA_BYTE, offset));
    }

    static int u16(MemorySegment s, long offset) {
        return Short.toUnsignedInt(s.get(U16, offset));
    }

    static long u32(MemorySegment s, long offset) {
        return Integer.toUnsignedLong(s.get(U32, offset));
    }

    static int s32(MemorySegment s, long offset) {
        return s.get(U32, offset);
    }

    static long u64(MemorySegment s, long offset) {
        return s.get(U64, offset);
    }

    /** A NUL-terminated string attribute; tolerates a missing terminator. */
    static String cString(MemorySegment s) {
        int n = 0;
        while (n < s.byteSize() && s.get(ValueLayout.JAVA_BYTE, n) != 0) {
            n++;
        }
        return new String(s.asSlice(0, n).toArray(ValueLayout.JAVA_BYTE), StandardCharsets.UTF_8);
    }
}
