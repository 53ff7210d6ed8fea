package dev.podnet.netlink;

import java.lang.foreign.MemorySegment;

/** Pure reading of netlink attributes ({@code struct rtattr} / {@code struct nlattr}, RTA_ALIGN apart). */
public final class NetlinkAttributes {
    private static final int HEADER_BYTES = 4;
    /** The top bits of an attribute type are flags (NLA_F_NESTED, NLA_F_NET_BYTEORDER), not the type. */
    private static final int TYPE_MASK = 0x3fff;

    private NetlinkAttributes() {
    }

    /**
     * The payloads of the attributes in {@code attributes}, indexed by type; types above {@code maxType}
     * are skipped, a missing type is null.
     *
     * @param where names the message for errors, e.g. "RTM_NEWQDISC"
     */
    public static MemorySegment[] index(MemorySegment attributes, int maxType, String where)
            throws MalformedNetlinkException {
        MemorySegment[] found = new MemorySegment[maxType + 1];
        long size = attributes.byteSize();
        long offset = 0;
        while (size - offset >= HEADER_BYTES) {
            int length = NetlinkBytes.u16(attributes, offset);
            int type = NetlinkBytes.u16(attributes, offset + 2) & TYPE_MASK;
            if (length < HEADER_BYTES || length > size - offset) {
                throw new MalformedNetlinkException("truncated attribute " + type + " in " + where + ": its length is "
                        + length + ", " + (size - offset) + " bytes are there");
            }
            if (type <= maxType) {
                found[type] = attributes.asSlice(offset + HEADER_BYTES, length - HEADER_BYTES);
            }
            offset += NetlinkBytes.align(length);
        }
        return found;
    }
}
