package dev.podnet.probe.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.netlink.TcpState;
import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.TestAgent;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Real TCP connections between two namespaces, counted by the tcpsummary probe through the agent's
 * /metrics. Sockets are created inside the namespaces with explicit address families, so the IPv4 case
 * really goes through the AF_INET dump (Java would otherwise make dual-stack IPv6 sockets).
 */
class TcpSummaryProbeIT {
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void root() {
        NetnsLab.assumeKernelLab();
    }

    @AfterEach
    void closeSockets() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    @Test
    void countsIpv4ConnectionsExactlyOnBothSidesAndTheirTimeWaitAfterClose() throws Exception {
        try (NetnsLab lab = new NetnsLab(); TestAgent agent = TestAgent.start("probes: [tcpsummary]\n")) {
            String server = lab.add("srv");
            String client = lab.add("cli");
            lab.veth(server, "10.241.1.1/24", client, "10.241.1.2/24");
            Connections c = connect(lab, server, client, StandardProtocolFamily.INET, "10.241.1.1", 40);

            Scrape s = agent.scrape();
            assertEquals(40, sockets(s, lab, client, TcpState.ESTABLISHED));
            assertEquals(40, sockets(s, lab, server, TcpState.ESTABLISHED));
            assertEquals(1, sockets(s, lab, server, TcpState.LISTEN));
            for (TcpState state : TcpState.ALL) {
                if (state != TcpState.ESTABLISHED) {
                    assertTrue(s.find("podnet_tcp_sockets", "netns", netns(lab, client), "state", state.label()).isEmpty(),
                            "client " + state.label() + ": a state without sockets is left out");
                }
            }

            // The client closes first, so its 40 sockets end in TIME_WAIT (held for 60 s by the kernel).
            for (SocketChannel ch : c.clients) {
                ch.close();
            }
            for (SocketChannel ch : c.accepted) {
                ch.close();
            }
            Scrape after = awaitScrape(agent, x -> sockets(x, lab, client, TcpState.TIME_WAIT) == 40);
            assertEquals(40, sockets(after, lab, client, TcpState.TIME_WAIT));
            assertEquals(0, after.value("podnet_tcp_sockets", "netns", netns(lab, client), "state", "established"),
                    "established is there even without sockets");
            assertEquals(0, after.value("podnet_tcp_sockets", "netns", netns(lab, server), "state", "established"));
            assertEquals(1, sockets(after, lab, server, TcpState.LISTEN));
        }
    }

    @Test
    void countsIpv6Connections() throws Exception {
        try (NetnsLab lab = new NetnsLab(); TestAgent agent = TestAgent.start("probes: [tcpsummary]\n")) {
            String server = lab.add("srv6");
            String client = lab.add("cli6");
            lab.veth(server, "10.241.2.1/24", client, "10.241.2.2/24");
            String[] veth = lab.lastVeth();
            lab.exec(server, "ip", "-6", "addr", "add", "fd00:241:2::1/64", "dev", veth[0], "nodad");
            lab.exec(client, "ip", "-6", "addr", "add", "fd00:241:2::2/64", "dev", veth[1], "nodad");
            connect(lab, server, client, StandardProtocolFamily.INET6, "fd00:241:2::1", 12);

            Scrape s = agent.scrape();
            assertEquals(12, sockets(s, lab, client, TcpState.ESTABLISHED));
            assertEquals(12, sockets(s, lab, server, TcpState.ESTABLISHED));
            assertEquals(1, sockets(s, lab, server, TcpState.LISTEN));
        }
    }

    @Test
    void queuesShowUnreadAndUnacknowledgedBytesAndTheAcceptQueueItsWaitingConnections() throws Exception {
        try (NetnsLab lab = new NetnsLab(); TestAgent agent = TestAgent.start("probes: [tcpsummary]\n")) {
            String server = lab.add("qsrv");
            String client = lab.add("qcli");
            lab.veth(server, "10.241.3.1/24", client, "10.241.3.2/24");
            ServerSocketChannel listener = listen(lab, server, StandardProtocolFamily.INET, "10.241.3.1");
            int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
            List<SocketChannel> clients = dial(lab, client, StandardProtocolFamily.INET, "10.241.3.1", port, 3);

            // Three connections wait, unaccepted, in the listener's accept queue.
            Scrape waiting = awaitScrape(agent, x -> gauge(x, lab, server, "podnet_tcp_listen_accept_queue_connections") == 3);
            assertEquals(3, gauge(waiting, lab, server, "podnet_tcp_listen_accept_queue_connections"));
            List<SocketChannel> accepted = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                accepted.add(remember(listener.accept()));
            }

            // 12345 bytes the server's application never reads: they sit in its receive queue.
            write(clients.get(0), 12_345);
            Scrape rx = awaitScrape(agent, x -> gauge(x, lab, server, "podnet_tcp_established_rx_queue_bytes") == 12_345
                    && gauge(x, lab, client, "podnet_tcp_established_tx_queue_bytes") == 0);
            assertEquals(12_345, gauge(rx, lab, server, "podnet_tcp_established_rx_queue_bytes"));
            assertEquals(0, gauge(rx, lab, client, "podnet_tcp_established_tx_queue_bytes"), "acknowledged, so not queued");
            assertEquals(0, gauge(rx, lab, server, "podnet_tcp_listen_accept_queue_connections"));

            // The server's namespace now drops everything for the port: 5000 more bytes stay unacknowledged.
            lab.nft(server, "inet", "pnblock", "table inet pnblock {\n chain in {\n  type filter hook input priority 0;\n"
                    + "  tcp dport " + port + " drop\n }\n}\n");
            write(clients.get(1), 5_000);
            Scrape tx = awaitScrape(agent, x -> gauge(x, lab, client, "podnet_tcp_established_tx_queue_bytes") == 5_000);
            assertEquals(5_000, gauge(tx, lab, client, "podnet_tcp_established_tx_queue_bytes"));
            assertEquals(12_345, gauge(tx, lab, server, "podnet_tcp_established_rx_queue_bytes"), "nothing new arrived");
        }
    }

    private record Connections(List<SocketChannel> clients, List<SocketChannel> accepted) {
    }

    private Connections connect(NetnsLab lab, String server, String client, ProtocolFamily family, String address,
                                int count) throws IOException {
        ServerSocketChannel listener = listen(lab, server, family, address);
        int port = ((InetSocketAddress) listener.getLocalAddress()).getPort();
        List<SocketChannel> clients = dial(lab, client, family, address, port, count);
        List<SocketChannel> accepted = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            accepted.add(remember(listener.accept()));
        }
        return new Connections(clients, accepted);
    }

    private ServerSocketChannel listen(NetnsLab lab, String ns, ProtocolFamily family, String address) throws IOException {
        return remember(lab.inNetns(ns, () -> ServerSocketChannel.open(family).bind(new InetSocketAddress(address, 0), 100)));
    }

    /** Connects from inside {@code ns}: the socket is created (on connect) in that namespace. */
    private List<SocketChannel> dial(NetnsLab lab, String ns, ProtocolFamily family, String address, int port, int count)
            throws IOException {
        return lab.inNetns(ns, () -> {
            List<SocketChannel> list = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                SocketChannel ch = remember(SocketChannel.open(family));
                ch.connect(new InetSocketAddress(address, port));
                list.add(ch);
            }
            return list;
        });
    }

    private <T extends AutoCloseable> T remember(T closeable) {
        synchronized (open) {
            open.add(closeable);
        }
        return closeable;
    }

    private static void write(SocketChannel ch, int bytes) throws IOException {
        ByteBuffer data = ByteBuffer.allocate(bytes);
        while (data.hasRemaining()) {
            ch.write(data);
        }
    }

    static Scrape awaitScrape(TestAgent agent, Predicate<Scrape> condition) throws Exception {
        Scrape last = null;
        for (int i = 0; i < 100; i++) {
            last = agent.scrape();
            try {
                if (condition.test(last)) {
                    return last;
                }
            } catch (AssertionError notYet) {
                // a series not there yet; try again
            }
            Thread.sleep(100);
        }
        return last;
    }

    /** Sockets in a state; a state without sockets has no series (established excepted). */
    private static double sockets(Scrape s, NetnsLab lab, String ns, TcpState state) {
        return s.maybe("podnet_tcp_sockets", "netns", netns(lab, ns), "state", state.label()).orElse(0.0);
    }

    private static double gauge(Scrape s, NetnsLab lab, String ns, String name) {
        return s.value(name, "netns", netns(lab, ns));
    }

    static String netns(NetnsLab lab, String ns) {
        try {
            return String.valueOf(lab.inode(ns));
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }
}
