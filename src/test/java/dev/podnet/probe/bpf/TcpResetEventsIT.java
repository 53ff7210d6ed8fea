package dev.podnet.probe.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.probe.EventTypes;
import dev.podnet.probe.ProbeEvent;
import dev.podnet.testing.NetnsLab;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * tcpreset's and tcpconn's events against real connections between two fresh namespaces: the tuples are
 * the ones the test chose (client address and port bound), from each namespace's own side.
 */
@Timeout(120)
class TcpResetEventsIT {
    private static final int CLOSED_PORT = 5998;
    private static final int OPEN_PORT = 5203;
    private static final int CLIENT_PORT = 41234;

    @BeforeAll
    static void kernel() {
        BpfProbeLab.assumeBpf();
    }

    @Test
    void aConnectToAClosedIpv4PortIsANoSocketResetThereAndAReceivedResetAndFailedConnectHere() throws Exception {
        refusedConnect(StandardProtocolFamily.INET, 21, false);
    }

    @Test
    void aConnectToAClosedIpv6PortIsANoSocketResetThereAndAReceivedResetAndFailedConnectHere() throws Exception {
        refusedConnect(StandardProtocolFamily.INET6, 22, true);
    }

    /**
     * java.net's sockets are IPv6 sockets holding IPv4-mapped addresses: the events say IPv4. Its ephemeral
     * port is released when the connect fails, before the kernel reports it: the events still name it.
     */
    @Test
    void aDualStackSocketTalkingIpv4FromAnEphemeralPortIsReportedAsIpv4WithThatPort() throws Exception {
        refusedConnect(null, 23, false);
    }

    private void refusedConnect(ProtocolFamily family, int subnet, boolean v6) throws Exception {
        int clientPort = family == null ? 0 : CLIENT_PORT;
        CapturedEvents events = new CapturedEvents();
        try (NetnsLab lab = new NetnsLab();
             TcpResetProbe resets = KernelEventLab.start(new TcpResetProbe(), events, Map.of());
             TcpConnProbe connections = KernelEventLab.start(new TcpConnProbe(), events, Map.of())) {
            String[] ns = BpfProbeLab.pair(lab, subnet);
            if (v6) {
                KernelEventLab.ipv6(lab, ns, subnet);
            }
            long client = lab.inode(ns[0]);
            long server = lab.inode(ns[1]);
            String clientAddress = v6 ? "fd00:212:" + subnet + "::1" : "10.212." + subnet + ".1";
            String serverAddress = v6 ? "fd00:212:" + subnet + "::2" : "10.212." + subnet + ".2";
            int port = KernelEventLab.refusedConnect(lab, ns[0], family, new InetSocketAddress(clientAddress, clientPort),
                    new InetSocketAddress(serverAddress, CLOSED_PORT));

            ProbeEvent sent = events.await(CapturedEvents.of(EventTypes.TCP_RESET_NO_SOCKET, server), 1, "reset sent").getFirst();
            ProbeEvent received = events.await(CapturedEvents.of(EventTypes.TCP_RESET_RECEIVED, client), 1, "reset received").getFirst();
            ProbeEvent failed = events.await(CapturedEvents.of(EventTypes.CONNECT_FAILED, client), 1, "failed connect").getFirst();
            String familyName = v6 ? "ipv6" : "ipv4";
            assertTuple(sent, familyName, serverAddress, CLOSED_PORT, clientAddress, port);
            assertEquals("tcpreset", sent.probe());
            assertEquals("NO_SOCKET", sent.fields().get("reason"), sent.toString());
            assertTuple(received, familyName, clientAddress, port, serverAddress, CLOSED_PORT);
            assertEquals("SYN_SENT", received.fields().get("state"));
            assertTuple(failed, familyName, clientAddress, port, serverAddress, CLOSED_PORT);
            assertEquals("tcpconn", failed.probe());
            assertEquals("ECONNREFUSED", failed.fields().get("reason"));
            assertEquals("SYN_SENT", failed.fields().get("state"));
            String endpoint = v6 ? "[" + serverAddress + "]:" + CLOSED_PORT : serverAddress + ":" + CLOSED_PORT;
            assertTrue(failed.message().contains("to " + endpoint + " failed: ECONNREFUSED"), failed.message());
            assertTrue(sent.message().startsWith("reset sent from " + endpoint), sent.message());

            List<ProbeEvent> ours = events.all().stream().filter(e -> e.netns() == client || e.netns() == server).toList();
            assertEquals(3, ours.size(), "one event each, nothing else in these namespaces: " + ours);
            assertEquals(0, events.lost());
        }
    }

    /**
     * SO_LINGER 0 and closing with unread data both abort the connection with a reset: TCP_RESET_ACTIVE on
     * the closing side, with the kernel's reason, and TCP_RESET_RECEIVED on the other. The tuple is the one
     * ss shows for the connection before it is closed.
     */
    @Test
    void aLingerZeroCloseAndACloseWithUnreadDataAreActiveResets() throws Exception {
        CapturedEvents events = new CapturedEvents();
        try (NetnsLab lab = new NetnsLab();
             TcpResetProbe resets = KernelEventLab.start(new TcpResetProbe(), events, Map.of())) {
            String[] ns = BpfProbeLab.pair(lab, 24);
            long client = lab.inode(ns[0]);
            long server = lab.inode(ns[1]);
            try (ServerSocket listener = BpfProbeLab.listen(lab, ns[1], "10.212.24.2", OPEN_PORT)) {
                // linger 0: an abort whatever the state of the data
                String[] tuple;
                try (SocketChannel channel = connect(lab, ns[0], "10.212.24.2"); Socket accepted = listener.accept()) {
                    tuple = ssTuple(lab, ns[0]);
                    channel.setOption(java.net.StandardSocketOptions.SO_LINGER, 0);
                    channel.close();
                    assertEquals(-1, readOrReset(accepted.getInputStream()));
                }
                ProbeEvent linger = events.await(CapturedEvents.of(EventTypes.TCP_RESET_ACTIVE, client), 1, "linger reset").getFirst();
                assertTuple(linger, "ipv4", tuple[0], Integer.parseInt(tuple[1]), tuple[2], Integer.parseInt(tuple[3]));
                assertTrue(linger.fields().containsKey("reason"), linger.toString());
                assertTrue(linger.message().contains("aborted its connection"), linger.message());
                ProbeEvent got = events.await(CapturedEvents.of(EventTypes.TCP_RESET_RECEIVED, server), 1, "reset received").getFirst();
                assertTuple(got, "ipv4", tuple[2], Integer.parseInt(tuple[3]), tuple[0], Integer.parseInt(tuple[1]));
                assertEquals("ESTABLISHED", got.fields().get("state"));

                // unread data: the kernel's reason says so
                try (SocketChannel channel = connect(lab, ns[0], "10.212.24.2"); Socket accepted = listener.accept()) {
                    tuple = ssTuple(lab, ns[0]);
                    OutputStream out = accepted.getOutputStream();
                    out.write(new byte[100]);
                    out.flush();
                    awaitQueued(lab, ns[0]);
                    channel.close();
                    assertEquals(-1, readOrReset(accepted.getInputStream()));
                }
                List<ProbeEvent> active = events.await(CapturedEvents.of(EventTypes.TCP_RESET_ACTIVE, client), 2, "resets");
                ProbeEvent unread = active.get(1);
                assertTuple(unread, "ipv4", tuple[0], Integer.parseInt(tuple[1]), tuple[2], Integer.parseInt(tuple[3]));
                assertEquals("TCP_ABORT_ON_CLOSE", unread.fields().get("reason"), unread.toString());
                assertEquals(0, events.all().stream().filter(CapturedEvents.of(EventTypes.TCP_RESET_ACTIVE, server)).count(),
                        "the server reset nothing");
            }
        }
    }

    private static SocketChannel connect(NetnsLab lab, String ns, String address) throws Exception {
        return lab.inNetns(ns, () -> SocketChannel.open(new InetSocketAddress(address, OPEN_PORT)));
    }

    /** The one established connection of the namespace as ss shows it: local address, port, peer address, port. */
    private static String[] ssTuple(NetnsLab lab, String ns) {
        String[] lines = lab.exec(ns, "ss", "-Htn", "state", "established").strip().split("\n");
        assertEquals(1, lines.length, String.join("\n", lines));
        String[] columns = lines[0].trim().split("\\s+");
        String local = columns[columns.length - 2];
        String peer = columns[columns.length - 1];
        return new String[] {host(local), port(local), host(peer), port(peer)};
    }

    /** Waits (bounded) until the client's receive queue holds the server's data, as ss shows it. */
    private static void awaitQueued(NetnsLab lab, String ns) throws InterruptedException {
        for (int i = 0; i < 500; i++) {
            String[] columns = lab.exec(ns, "ss", "-Htn", "state", "established").trim().split("\\s+");
            if (columns.length >= 2 && !columns[0].equals("0")) {
                return;
            }
            Thread.sleep(10);
        }
        throw new AssertionError("the data never reached the client's receive queue");
    }

    /** ss writes a dual-stack socket's IPv4 addresses mapped (::ffff:10.0.0.1); the events say 10.0.0.1. */
    private static String host(String endpoint) {
        return endpoint.substring(0, endpoint.lastIndexOf(':')).replace("[", "").replace("]", "").replace("::ffff:", "");
    }

    private static String port(String endpoint) {
        return endpoint.substring(endpoint.lastIndexOf(':') + 1);
    }

    /** -1 at the end of the stream, also when it ended with a reset. */
    private static int readOrReset(InputStream in) {
        try {
            return in.read();
        } catch (java.io.IOException reset) {
            return -1;
        }
    }

    static void assertTuple(ProbeEvent e, String family, String saddr, int sport, String daddr, int dport) {
        Map<String, Object> f = e.fields();
        String tuple = e + "";
        assertEquals("tcp", f.get("protocol"), tuple);
        assertEquals(family, f.get("family"), tuple);
        assertEquals(saddr, f.get("saddr"), tuple);
        assertEquals(sport, f.get("sport"), tuple);
        assertEquals(daddr, f.get("daddr"), tuple);
        assertEquals(dport, f.get("dport"), tuple);
    }
}
