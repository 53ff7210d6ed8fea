package dev.podnet.netlink;

import static dev.podnet.netlink.Fixtures.concat;
import static dev.podnet.netlink.Fixtures.attr;
import static dev.podnet.netlink.Fixtures.segment;
import static dev.podnet.netlink.Fixtures.struct;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TcpSummaryTest {

    /** An inet_diag_msg as sock_diag sends it, followed by an INET_DIAG_SHUTDOWN attribute as the kernel adds. */
    private static byte[] diagMessage(int family, int state, int rqueue, int wqueue) {
        byte[] msg = struct(TcpSummary.Builder.MESSAGE_BYTES, b -> {
            b.put((byte) family).put((byte) state).put((byte) 0).put((byte) 0);
            b.putShort((short) 0x1f90).putShort((short) 0x5000); // ports, big-endian on the wire; not read
            b.position(52);
            b.putInt(0).putInt(rqueue).putInt(wqueue).putInt(0).putInt(12345);
        });
        return concat(msg, attr(8, new byte[] {0}));
    }

    private static TcpSummary summarize(byte[]... messages) throws Exception {
        TcpSummary.Builder b = new TcpSummary.Builder();
        for (byte[] m : messages) {
            b.add(segment(m), "SOCK_DIAG_BY_FAMILY");
        }
        return b.build();
    }

    @Test
    void countsStatesAndQueuesOfEstablishedAndListeningSocketsOnly() throws Exception {
        TcpSummary s = summarize(
                diagMessage(2, 1, 100, 7), diagMessage(10, 1, 50, 0), diagMessage(2, 10, 3, 128),
                diagMessage(2, 6, 0, 0), diagMessage(2, 8, 999, 999), diagMessage(10, 12, 0, 0));
        assertEquals(2, s.sockets(TcpState.ESTABLISHED));
        assertEquals(1, s.sockets(TcpState.LISTEN));
        assertEquals(1, s.sockets(TcpState.TIME_WAIT));
        assertEquals(1, s.sockets(TcpState.CLOSE_WAIT));
        assertEquals(1, s.sockets(TcpState.NEW_SYN_RECV));
        assertEquals(150, s.establishedRxQueueBytes());
        assertEquals(7, s.establishedTxQueueBytes());
        assertEquals(3, s.acceptQueue(), "the listener's rqueue is its accept queue; its wqueue (the backlog limit) is ignored");
    }

    @Test
    void queueLengthsAreUnsigned() throws Exception {
        assertEquals(0xffff_fff0L, summarize(diagMessage(2, 1, 0xfffffff0, 0)).establishedRxQueueBytes());
    }

    @Test
    void statesNewerThanPodnetAreIgnored() throws Exception {
        TcpSummary s = summarize(diagMessage(2, 13, 5, 5)); // TCP_BOUND_INACTIVE (6.7+), not requested
        assertEquals(0, Arrays.stream(s.sockets()).sum());
    }

    @Test
    void truncatedDiagMessageIsNamed() {
        MalformedNetlinkException e = assertThrows(MalformedNetlinkException.class,
                () -> new TcpSummary.Builder().add(segment(new byte[40]), "TCPDIAG_GETSOCK"));
        assertEquals("truncated TCPDIAG_GETSOCK message: 40 bytes, an inet_diag_msg needs 72", e.getMessage());
    }

    @Test
    void requestAsksForEveryKnownTcpStateWithoutExtensions() {
        ByteBuffer r = ByteBuffer.wrap(SockDiag.tcpRequest(SockDiag.AF_INET6, TcpState.ALL_MASK)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(56, r.capacity());
        assertEquals(10, r.get(0));
        assertEquals(6, r.get(1), "IPPROTO_TCP");
        assertEquals(0, r.get(2), "no extensions");
        assertEquals(0x1ffe, r.getInt(4), "states 1 (established) to 12 (new_syn_recv)");
    }

    @Test
    void oldRequestCarriesTheStatesAfterTheSocketId() {
        ByteBuffer r = ByteBuffer.wrap(SockDiag.compatTcpRequest(TcpState.ALL_MASK)).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(60, r.capacity(), "sizeof(struct inet_diag_req)");
        assertEquals(0x1ffe, r.getInt(52), "idiag_states after family, prefix lengths, ext and the 48-byte id");
        assertEquals(0, r.getInt(56), "idiag_dbs");
    }

    @Test
    void stateNumbersAndLabels() {
        assertEquals(12, TcpState.ALL.size());
        assertEquals(TcpState.ESTABLISHED, TcpState.of(1));
        assertEquals(TcpState.NEW_SYN_RECV, TcpState.of(12));
        assertNull(TcpState.of(0));
        assertNull(TcpState.of(13));
        assertEquals("fin_wait1", TcpState.FIN_WAIT1.label());
        assertEquals("close_wait", TcpState.of(8).label());
    }
}
