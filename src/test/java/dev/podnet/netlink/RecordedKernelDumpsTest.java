package dev.podnet.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The parsers on datagrams recorded from kernel 6.18 (see the comments in each fixture for what was there). */
class RecordedKernelDumpsTest {

    @Test
    void ipv4SocketsOfTheRecordingNamespace() throws Exception {
        TcpSummary.Builder b = new TcpSummary.Builder();
        Fixtures.walkRecorded("sock_diag_tcp4.hex", SockDiag.TCP_DUMP, SockDiag.handler(b, SockDiag.TCP_DUMP));
        TcpSummary s = b.build();
        assertEquals(4, s.sockets(TcpState.ESTABLISHED));
        assertEquals(1, s.sockets(TcpState.LISTEN));
        assertEquals(5, Arrays.stream(s.sockets()).sum(), "nothing else");
        assertEquals(100, s.establishedRxQueueBytes(), "the unread 100 bytes");
        assertEquals(0, s.establishedTxQueueBytes(), "all acknowledged on loopback");
        assertEquals(0, s.acceptQueue(), "all accepted");
    }

    @Test
    void ipv6SocketsOfTheRecordingNamespace() throws Exception {
        TcpSummary.Builder b = new TcpSummary.Builder();
        Fixtures.walkRecorded("sock_diag_tcp6.hex", SockDiag.TCP_DUMP, SockDiag.handler(b, SockDiag.TCP_DUMP));
        TcpSummary s = b.build();
        assertEquals(2, s.sockets(TcpState.ESTABLISHED));
        assertEquals(1, s.sockets(TcpState.LISTEN));
        assertEquals(3, Arrays.stream(s.sockets()).sum());
    }

    @Test
    void theOldRequestAnswersForBothFamiliesInOneDump() throws Exception {
        TcpSummary.Builder b = new TcpSummary.Builder();
        Fixtures.walkRecorded("tcpdiag_getsock.hex", SockDiag.TCP_COMPAT_DUMP, SockDiag.handler(b, SockDiag.TCP_COMPAT_DUMP));
        TcpSummary s = b.build();
        assertEquals(6, s.sockets(TcpState.ESTABLISHED), "4 IPv4 and 2 IPv6");
        assertEquals(2, s.sockets(TcpState.LISTEN));
        assertEquals(8, Arrays.stream(s.sockets()).sum());
        assertEquals(100, s.establishedRxQueueBytes());
    }

    @Test
    void qdiscsAsTcShowedThem() throws Exception {
        List<QdiscStats> qdiscs = new ArrayList<>();
        Fixtures.walkRecorded("rtm_qdisc.hex", Rtnetlink.QDISC_DUMP, p -> qdiscs.add(Rtnetlink.parseQdisc(p)));
        assertEquals(5, qdiscs.size(), qdiscs.toString());
        Map<String, QdiscStats> byKey = new HashMap<>();
        for (QdiscStats q : qdiscs) {
            byKey.put(q.ifindex() + " " + q.kind() + " " + q.handleLabel() + " " + q.parentLabel(), q);
        }
        QdiscStats tbf = byKey.get("3 tbf 1: root");
        assertEquals(586, tbf.bytes());
        assertEquals(7, tbf.packets());
        QdiscStats pfifo = byKey.get("3 pfifo 10: 1:1");
        assertEquals(496, pfifo.bytes());
        assertEquals(6, pfifo.packets());
        QdiscStats ingress = byKey.get("2 ingress ffff: ffff:fff1");
        assertEquals(0, ingress.packets());
        assertTrue(byKey.containsKey("1 noqueue 0: root"));
        assertTrue(byKey.containsKey("2 noqueue 0: root"));
        for (QdiscStats q : qdiscs) {
            assertEquals(0, q.drops() + q.overlimits() + q.requeues() + q.qlen() + q.backlogBytes(), q.toString());
        }
    }

    @Test
    void linkNames() throws Exception {
        Map<Integer, String> names = new HashMap<>();
        Fixtures.walkRecorded("rtm_link.hex", Rtnetlink.LINK_DUMP, p -> {
            Rtnetlink.Link link = Rtnetlink.parseLink(p);
            names.put(link.ifindex(), link.name());
        });
        assertEquals(Map.of(1, "lo", 2, "pncap1", 3, "pncap0"), names);
    }

    @Test
    void aRecordedDatagramCutShortNamesTheMessageType() {
        byte[] full = Fixtures.recorded("rtm_qdisc.hex").getFirst();
        MalformedNetlinkException e = assertThrows(MalformedNetlinkException.class, () -> NetlinkMessages.walk(
                Fixtures.segment(Arrays.copyOf(full, 40)), Rtnetlink.QDISC_DUMP, 1, Rtnetlink::parseQdisc));
        assertTrue(e.getMessage().contains("truncated RTM_NEWQDISC message in RTM_GETQDISC dump"), e.getMessage());

        byte[] diag = Fixtures.recorded("sock_diag_tcp4.hex").getFirst();
        e = assertThrows(MalformedNetlinkException.class, () -> NetlinkMessages.walk(
                Fixtures.segment(Arrays.copyOf(diag, 50)), SockDiag.TCP_DUMP, 1, SockDiag.handler(new TcpSummary.Builder(), SockDiag.TCP_DUMP)));
        assertTrue(e.getMessage().contains("truncated SOCK_DIAG_BY_FAMILY message"), e.getMessage());
    }

    @Test
    void answersToAnotherSequenceNumberAreNotOurs() throws Exception {
        List<Object> seen = new ArrayList<>();
        boolean done = NetlinkMessages.walk(Fixtures.segment(Fixtures.recorded("rtm_link.hex").getFirst()),
                Rtnetlink.LINK_DUMP, 2, seen::add);
        assertTrue(seen.isEmpty());
        assertEquals(false, done, "our dump has not ended yet");
    }
}
