package dev.podnet.netlink;

import static dev.podnet.netlink.Fixtures.attr;
import static dev.podnet.netlink.Fixtures.concat;
import static dev.podnet.netlink.Fixtures.cString;
import static dev.podnet.netlink.Fixtures.segment;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.lang.foreign.MemorySegment;
import org.junit.jupiter.api.Test;

class NetlinkAttributesTest {

    @Test
    void indexesByTypeAcrossPaddingAndMasksFlagBits() throws Exception {
        byte[] nested = attr(7 | 0x8000, new byte[8]); // NLA_F_NESTED set, as some kernels mark TCA_STATS2
        MemorySegment[] a = NetlinkAttributes.index(segment(concat(attr(1, cString("tbf")), attr(2, new byte[1]), nested,
                attr(40, new byte[4]))), 7, "RTM_NEWQDISC");
        assertEquals("tbf", NetlinkBytes.cString(a[1]));
        assertEquals(1, a[2].byteSize(), "payload without the RTA_ALIGN padding");
        assertEquals(8, a[7].byteSize());
        assertNull(a[3]);
    }

    @Test
    void trailingPaddingShorterThanAHeaderIsIgnored() throws Exception {
        assertEquals(4, NetlinkAttributes.index(segment(concat(attr(1, new byte[4]), new byte[3])), 3, "x")[1].byteSize());
    }

    @Test
    void truncatedAttributeIsNamed() {
        byte[] bytes = attr(3, new byte[12]);
        MalformedNetlinkException e = assertThrows(MalformedNetlinkException.class,
                () -> NetlinkAttributes.index(segment(java.util.Arrays.copyOf(bytes, 10)), 7, "RTM_NEWQDISC"));
        assertEquals("truncated attribute 3 in RTM_NEWQDISC: its length is 16, 10 bytes are there", e.getMessage());
        byte[] zero = attr(3, new byte[0]);
        zero[0] = 2; // shorter than the rtattr header: would loop forever if accepted
        assertThrows(MalformedNetlinkException.class, () -> NetlinkAttributes.index(segment(zero), 7, "RTM_NEWQDISC"));
    }
}
