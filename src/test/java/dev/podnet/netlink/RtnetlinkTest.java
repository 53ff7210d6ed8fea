package dev.podnet.netlink;

import static dev.podnet.netlink.Fixtures.attr;
import static dev.podnet.netlink.Fixtures.concat;
import static dev.podnet.netlink.Fixtures.cString;
import static dev.podnet.netlink.Fixtures.segment;
import static dev.podnet.netlink.Fixtures.struct;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RtnetlinkTest {

    private static byte[] tcmsg(int ifindex, int handle, int parent) {
        return struct(Rtnetlink.TCMSG_BYTES, b -> b.put((byte) 0).put((byte) 0).putShort((short) 0).putInt(ifindex)
                .putInt(handle).putInt(parent).putInt(1));
    }

    /** gnet_stats_basic as the kernel copies it: sizeof is 16 (the u64 aligns the struct), 12 used. */
    private static byte[] basic(long bytes, int packets) {
        return attr(Rtnetlink.TCA_STATS_BASIC, struct(16, b -> b.putLong(bytes).putInt(packets)));
    }

    private static byte[] queue(int qlen, int backlog, int drops, int requeues, int overlimits) {
        return attr(Rtnetlink.TCA_STATS_QUEUE, struct(20, b -> b.putInt(qlen).putInt(backlog).putInt(drops)
                .putInt(requeues).putInt(overlimits)));
    }

    @Test
    void statsTwoWithAllCounters() throws Exception {
        byte[] stats2 = attr(Rtnetlink.TCA_STATS2, concat(basic(5_000_000_000L, 123), attr(2, new byte[8]),
                queue(3, 4500, 17, 2, 99)));
        QdiscStats q = Rtnetlink.parseQdisc(segment(concat(tcmsg(4, 0x80010000, 0xffffffff),
                attr(Rtnetlink.TCA_KIND, cString("fq_codel")), attr(2, new byte[24]), stats2)));
        assertEquals(new QdiscStats(4, "fq_codel", 0x80010000, 0xffffffff, 5_000_000_000L, 123, 17, 2, 99, 3, 4500), q);
        assertEquals("8001:", q.handleLabel());
        assertEquals("root", q.parentLabel());
    }

    @Test
    void packetsBeyondThirtyTwoBitsComeFromPkt64() throws Exception {
        byte[] stats2 = attr(Rtnetlink.TCA_STATS2, concat(basic(1L << 40, 0x1234), queue(0, 0, 0, 0, 0),
                attr(Rtnetlink.TCA_STATS_PKT64, struct(8, b -> b.putLong(0x1_0000_1234L)))));
        QdiscStats q = Rtnetlink.parseQdisc(segment(concat(tcmsg(1, 0, 0xffffffff), attr(1, cString("pfifo_fast")), stats2)));
        assertEquals(0x1_0000_1234L, q.packets());
    }

    @Test
    void countersAreUnsigned() throws Exception {
        byte[] stats2 = attr(Rtnetlink.TCA_STATS2, concat(basic(1, 0xffffffff), queue(0, 0, 0xfffffffe, 0, 0)));
        QdiscStats q = Rtnetlink.parseQdisc(segment(concat(tcmsg(1, 0x10000, 0xffffffff), attr(1, cString("htb")), stats2)));
        assertEquals(4_294_967_295L, q.packets());
        assertEquals(4_294_967_294L, q.drops());
    }

    @Test
    void oldTcStatsWhenThereIsNoStatsTwo() throws Exception {
        byte[] old = attr(Rtnetlink.TCA_STATS, struct(40, b -> b.putLong(777).putInt(7).putInt(1).putInt(2).putInt(0)
                .putInt(0).putInt(5).putInt(600)));
        QdiscStats q = Rtnetlink.parseQdisc(segment(concat(tcmsg(2, 0x10000, 0x10001), attr(1, cString("tbf")), old)));
        assertEquals(new QdiscStats(2, "tbf", 0x10000, 0x10001, 777, 7, 1, -1, 2, 5, 600), q);
        assertEquals("1:1", q.parentLabel());
    }

    @Test
    void malformedQdiscsAreNamed() {
        assertEquals("truncated RTM_NEWQDISC message: tcmsg has 12 bytes, needs 20",
                assertThrows(MalformedNetlinkException.class, () -> Rtnetlink.parseQdisc(segment(new byte[12]))).getMessage());
        assertEquals("RTM_NEWQDISC message for ifindex 3 has no TCA_KIND", assertThrows(MalformedNetlinkException.class,
                () -> Rtnetlink.parseQdisc(segment(tcmsg(3, 0, 0)))).getMessage());
        assertTrue(assertThrows(MalformedNetlinkException.class, () -> Rtnetlink.parseQdisc(segment(concat(tcmsg(3, 0, 0),
                attr(1, cString("htb")))))).getMessage().contains("neither TCA_STATS2 nor TCA_STATS"));
        byte[] shortQueue = attr(Rtnetlink.TCA_STATS2, concat(basic(1, 1), attr(Rtnetlink.TCA_STATS_QUEUE, new byte[8])));
        assertEquals("truncated RTM_NEWQDISC message: TCA_STATS_QUEUE has 8 bytes, needs 20",
                assertThrows(MalformedNetlinkException.class, () -> Rtnetlink.parseQdisc(segment(concat(tcmsg(3, 0, 0),
                        attr(1, cString("htb")), shortQueue)))).getMessage());
    }

    @Test
    void handlesPrintAsTcPrintsThem() {
        assertEquals("root", QdiscStats.classId(0xffffffff));
        assertEquals("none", QdiscStats.classId(0));
        assertEquals("ffff:fff1", QdiscStats.classId(0xfffffff1));
        assertEquals("1:", QdiscStats.classId(0x10000));
        assertEquals(":3", QdiscStats.classId(3));
        assertEquals("0:", new QdiscStats(1, "noqueue", 0, -1, 0, 0, 0, 0, 0, 0, 0).handleLabel());
    }

    @Test
    void linkWithAndWithoutName() throws Exception {
        byte[] ifinfo = struct(Rtnetlink.IFINFOMSG_BYTES, b -> b.putShort((short) 0).putShort((short) 1).putInt(9));
        assertEquals(new Rtnetlink.Link(9, "eth0", Rtnetlink.Link.ARPHRD_ETHER),
                Rtnetlink.parseLink(segment(concat(ifinfo, attr(4, new byte[4]), attr(Rtnetlink.IFLA_IFNAME, cString("eth0"))))));
        assertNull(Rtnetlink.parseLink(segment(ifinfo)).name());
        assertThrows(MalformedNetlinkException.class, () -> Rtnetlink.parseLink(segment(new byte[8])));
    }
}
