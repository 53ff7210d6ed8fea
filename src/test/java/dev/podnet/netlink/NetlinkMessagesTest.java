package dev.podnet.netlink;

import static dev.podnet.netlink.Fixtures.concat;
import static dev.podnet.netlink.Fixtures.message;
import static dev.podnet.netlink.Fixtures.segment;
import static dev.podnet.netlink.Fixtures.struct;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetlinkMessagesTest {
    private static final NetlinkMessages.DumpKind QDISC = Rtnetlink.QDISC_DUMP;
    private static final int MULTI = NetlinkMessages.NLM_F_MULTI;
    private static final int NEWQDISC = Rtnetlink.RTM_NEWQDISC;

    private final List<byte[]> payloads = new ArrayList<>();

    private boolean walk(byte[] datagram, int seq) throws Exception {
        return NetlinkMessages.walk(segment(datagram), QDISC, seq, p -> payloads.add(p.toArray(ValueLayout.JAVA_BYTE)));
    }

    private static byte[] errno(int code) {
        return struct(20, b -> b.putInt(code));
    }

    @Test
    void dumpRequestHasHeaderFlagsSequenceAndPaddedPayload() {
        byte[] request = NetlinkMessages.dumpRequest(QDISC, 7, new byte[] {1, 2, 3, 4, 5});
        ByteBuffer b = ByteBuffer.wrap(request).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(24, request.length, "21 bytes padded to NLMSG_ALIGN");
        assertEquals(21, b.getInt(0), "nlmsg_len counts header and payload, not padding");
        assertEquals(Rtnetlink.RTM_GETQDISC, b.getShort(4));
        assertEquals(0x301, b.getShort(6), "NLM_F_REQUEST | NLM_F_DUMP");
        assertEquals(7, b.getInt(8));
        assertEquals(0, b.getInt(12), "nlmsg_pid 0: to the kernel");
        assertEquals(5, request[20]);
    }

    @Test
    void multiPartDumpEndsOnlyAtDoneAndHonoursAlignment() throws Exception {
        byte[] odd = {9, 8, 7, 6, 5}; // unaligned length: the next message starts 3 bytes of padding later
        assertFalse(walk(concat(message(NEWQDISC, MULTI, 1, odd), message(NEWQDISC, MULTI, 1, new byte[] {1, 2, 3, 4})), 1));
        assertTrue(walk(concat(message(NEWQDISC, MULTI, 1, new byte[8]), message(NetlinkMessages.NLMSG_DONE, MULTI, 1,
                struct(4, b -> b.putInt(0)))), 1));
        assertEquals(3, payloads.size());
        assertArrayEquals(odd, payloads.get(0));
        assertArrayEquals(new byte[] {1, 2, 3, 4}, payloads.get(1));
    }

    @Test
    void doneWithoutStatusAndSingleRepliesEndTheExchange() throws Exception {
        assertTrue(walk(message(NetlinkMessages.NLMSG_DONE, MULTI, 1, new byte[0]), 1));
        assertTrue(walk(message(NEWQDISC, 0, 1, new byte[4]), 1), "a reply without NLM_F_MULTI is the only one");
        assertTrue(walk(message(NetlinkMessages.NLMSG_ERROR, 0, 1, errno(0)), 1), "an acknowledgement");
    }

    @Test
    void kernelErrorCarriesErrnoAndNamesTheRequest() {
        NetlinkException e = assertThrows(NetlinkException.class,
                () -> walk(message(NetlinkMessages.NLMSG_ERROR, 0, 1, errno(-1)), 1));
        assertEquals(1, e.errno());
        assertTrue(e.getMessage().startsWith("RTM_GETQDISC dump: kernel answered NLMSG_ERROR: "), e.getMessage());
        assertTrue(e.getMessage().endsWith("(errno 1)"), e.getMessage());
    }

    @Test
    void aDumpAbortedByTheKernelReportsTheErrnoInDone() {
        NetlinkException e = assertThrows(NetlinkException.class, () -> walk(concat(message(NEWQDISC, MULTI, 1, new byte[4]),
                message(NetlinkMessages.NLMSG_DONE, MULTI, 1, struct(4, b -> b.putInt(-90)))), 1));
        assertEquals(90, e.errno());
        assertTrue(e.getMessage().contains("NLMSG_DONE"), e.getMessage());
    }

    @Test
    void truncationIsNamed() {
        byte[] whole = message(NEWQDISC, MULTI, 1, new byte[40]);
        MalformedNetlinkException cut = assertThrows(MalformedNetlinkException.class,
                () -> walk(java.util.Arrays.copyOf(whole, 30), 1));
        assertEquals("truncated RTM_NEWQDISC message in RTM_GETQDISC dump: its header says 56 bytes, 30 are there",
                cut.getMessage());
        MalformedNetlinkException header = assertThrows(MalformedNetlinkException.class,
                () -> walk(concat(message(NEWQDISC, MULTI, 1, new byte[4]), new byte[8]), 1));
        assertTrue(header.getMessage().startsWith("truncated netlink header in RTM_GETQDISC dump: 8 bytes left"),
                header.getMessage());
        byte[] tooShort = message(NEWQDISC, MULTI, 1, new byte[4]);
        tooShort[0] = 12; // nlmsg_len below the header's own size
        assertThrows(MalformedNetlinkException.class, () -> walk(tooShort, 1));
        MalformedNetlinkException error = assertThrows(MalformedNetlinkException.class,
                () -> walk(message(NetlinkMessages.NLMSG_ERROR, 0, 1, new byte[2]), 1));
        assertTrue(error.getMessage().startsWith("truncated NLMSG_ERROR message"), error.getMessage());
    }

    @Test
    void foreignSequenceNumbersAreSkippedAndNoopsIgnored() throws Exception {
        assertTrue(walk(concat(message(NEWQDISC, MULTI, 6, new byte[4]), message(NetlinkMessages.NLMSG_NOOP, 0, 5, new byte[0]),
                message(NEWQDISC, MULTI, 5, new byte[4]), message(NetlinkMessages.NLMSG_DONE, MULTI, 5, errno(0))), 5));
        assertEquals(1, payloads.size());
    }

    @Test
    void unexpectedTypesAndOverrunsAreErrors() {
        MalformedNetlinkException wrong = assertThrows(MalformedNetlinkException.class,
                () -> walk(message(Rtnetlink.RTM_NEWLINK, MULTI, 1, new byte[4]), 1));
        assertEquals("unexpected netlink message type 16 in RTM_GETQDISC dump, expected RTM_NEWQDISC", wrong.getMessage());
        assertThrows(MalformedNetlinkException.class, () -> walk(message(NetlinkMessages.NLMSG_OVERRUN, 0, 1, new byte[0]), 1));
    }

    @Test
    void emptyDatagramIsNotTheEnd() throws Exception {
        assertFalse(NetlinkMessages.walk(MemorySegment.ofArray(new byte[0]), QDISC, 1, p -> { }));
    }
}
