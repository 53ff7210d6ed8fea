package dev.podnet.probe.netlink;

import static dev.podnet.testing.HeldResources.awaitLinkGone;
import static dev.podnet.testing.HeldResources.linkExists;
import static dev.podnet.testing.HeldResources.netlinkSocketsIn;
import static dev.podnet.testing.HeldResources.openDescriptors;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.podnet.netns.Netns;
import dev.podnet.netns.NetnsDiscovery;
import dev.podnet.netns.NetnsEnterer;
import dev.podnet.netns.NetnsReaders;
import dev.podnet.netns.NetnsVanishedException;
import dev.podnet.probe.NodeView;
import dev.podnet.probe.Probe;
import dev.podnet.probe.ProbeContext;
import dev.podnet.probe.Sample;
import dev.podnet.probe.SampleBuffer;
import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.Sh;
import dev.podnet.testing.TestAgent;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The netlink probes keep one socket per namespace between collections. What a user relies on: the
 * numbers of every collection are today's (equal to tc and to the connections really open), the agent
 * holds exactly one socket per probe in each namespace, a dead pod's namespace is let go, and a probe
 * dropped by a config reload leaves no descriptor behind.
 */
class NetlinkSocketReuseIT {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path PROC = Path.of("/proc");
    private final List<AutoCloseable> open = new ArrayList<>();

    @BeforeAll
    static void root() {
        NetnsLab.assumeKernelLab();
        assumeTrue(Sh.available("tc"), "needs tc (iproute2)");
    }

    @AfterEach
    void closeSockets() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }

    @Test
    void everyCollectionOnTheKeptSocketsMatchesTcAndTheConnectionsOpenNow() throws Exception {
        try (NetnsLab lab = new NetnsLab(); NetnsEnterer enterer = new NetnsEnterer(PROC);
             Probe qdisc = started(new QdiscProbe(), enterer); Probe tcp = started(new TcpSummaryProbe(), enterer)) {
            String srv = lab.add("srv");
            String cli = lab.add("cli");
            lab.veth(srv, "10.243.1.1/24", cli, "10.243.1.2/24");
            String dev = lab.lastVeth()[0];
            Sh.run("ip", "netns", "exec", srv, "tc", "qdisc", "add", "dev", dev, "root", "handle", "1:", "pfifo", "limit", "500");
            // The server's namespace has a process, as a pod's has: tcpsummary reads its sockstat through it.
            lab.spawn(srv, "sleep", "300");
            Netns server = discovered(lab, srv, true);
            Netns client = discovered(lab, cli, false);
            ServerSocketChannel listener = remember(lab.inNetns(srv,
                    () -> ServerSocketChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress("10.243.1.1", 0), 100)));

            List<SocketChannel> clients = new ArrayList<>();
            List<SocketChannel> accepted = new ArrayList<>();
            Map<String, Set<Long>> firstSockets = null;
            int[] newConnections = {3, 11, 0};
            for (int round = 0; round < newConnections.length; round++) {
                clients.addAll(dial(lab, cli, listener, newConnections[round]));
                for (int i = 0; i < newConnections[round]; i++) {
                    accepted.add(remember(listener.accept()));
                }
                sendUdp(lab, srv, "10.243.1.2", 20 * (round + 1));
                boolean closed = round == newConnections.length - 1;
                if (closed) {
                    for (SocketChannel c : clients) {
                        c.close(); // the client closes first: its ends end in TIME_WAIT
                    }
                    for (SocketChannel c : accepted) {
                        c.close();
                    }
                }

                SampleBuffer tcpClient = collect(tcp, client, enterer);
                for (int i = 0; closed && i < 100 && sockets(tcpClient, "time_wait") < clients.size(); i++) {
                    Thread.sleep(50); // the last FINs and ACKs are on their way
                    tcpClient = collect(tcp, client, enterer);
                }
                SampleBuffer tcpServer = collect(tcp, server, enterer);
                int established = closed ? 0 : clients.size();
                assertEquals(established, value(tcpServer, "podnet_tcp_sockets", "state", "established"), "round " + round);
                assertEquals(established, value(tcpClient, "podnet_tcp_sockets", "state", "established"), "round " + round);
                assertEquals(1, value(tcpServer, "podnet_tcp_sockets", "state", "listen"));
                assertEquals(closed ? clients.size() : 0, sockets(tcpClient, "time_wait"));

                QdiscView view = collectWhileTcIsStill(lab, srv, dev, qdisc, server, enterer);
                JsonNode tc = view.tc();
                SampleBuffer q = view.samples();
                assertTrue(collect(qdisc, client, enterer).samples().isEmpty(), "the client has only noqueue qdiscs");
                for (String field : List.of("bytes", "packets", "drops")) {
                    assertEquals(tc.get(field).asLong(), value(q, "podnet_qdisc_" + field + "_total", "device", dev),
                            field + " in round " + round);
                }
                assertTrue(tc.get("packets").asLong() >= 20L * (round + 1) * (round + 2) / 2, "all datagrams counted");

                Map<String, Set<Long>> sockets = Map.of(srv, netlinkSocketsIn(lab, srv), cli, netlinkSocketsIn(lab, cli));
                assertEquals(2, sockets.get(srv).size(), "one socket per probe in the server's namespace: " + sockets);
                assertEquals(2, sockets.get(cli).size(), "one socket per probe in the client's namespace: " + sockets);
                if (firstSockets == null) {
                    firstSockets = sockets;
                }
                assertEquals(firstSockets, sockets, "round " + round + " used the sockets of the first collection");
            }
        }
    }

    @Test
    void aDeletedNamespaceIsVanishedForBothProbesAndLetGo() throws Exception {
        try (NetnsLab lab = new NetnsLab(); NetnsEnterer enterer = new NetnsEnterer(PROC);
             Probe qdisc = started(new QdiscProbe(), enterer); Probe tcp = started(new TcpSummaryProbe(), enterer)) {
            String hub = lab.add("hub");
            String pod = lab.add("pod");
            lab.veth(pod, "10.243.2.2/24", hub, "10.243.2.1/24");
            String hubEnd = lab.lastVeth()[1];
            Netns netns = discovered(lab, pod, false);
            try (ServerSocketChannel listener = lab.inNetns(pod,
                    () -> ServerSocketChannel.open(StandardProtocolFamily.INET).bind(new InetSocketAddress("127.0.0.1", 0)))) {
                collect(tcp, netns, enterer);
                collect(qdisc, netns, enterer);
                assertEquals(1, value(collect(tcp, netns, enterer), "podnet_tcp_sockets", "state", "listen"));
            }
            assertEquals(2, netlinkSocketsIn(lab, pod).size());

            lab.delete(pod);
            for (Probe probe : List.of(tcp, qdisc)) {
                assertThrows(NetnsVanishedException.class, () -> collect(probe, netns, enterer), probe.info().name());
            }
            assertTrue(awaitLinkGone(hub, hubEnd), "no socket holds the deleted namespace any more: its veth went with it");
        }
    }

    @Test
    void theNodeWideHookLetsGoOfNamespacesDiscoveryNoLongerFinds() throws Exception {
        try (NetnsLab lab = new NetnsLab(); NetnsEnterer enterer = new NetnsEnterer(PROC);
             Probe qdisc = started(new QdiscProbe(), enterer)) {
            String hub = lab.add("hub");
            String kept = lab.add("kept");
            String gone = lab.add("gone");
            lab.veth(gone, "10.243.3.2/24", hub, "10.243.3.1/24");
            String hubEnd = lab.lastVeth()[1];
            Netns keptNetns = discovered(lab, kept, false);
            collect(qdisc, keptNetns, enterer);
            collect(qdisc, discovered(lab, gone, false), enterer);
            Set<Long> keptSocket = netlinkSocketsIn(lab, kept);
            lab.delete(gone);
            assertTrue(linkExists(hub, hubEnd), "until the next collection, the kept socket holds the namespace");

            qdisc.collectNode(new NodeView(PROC, List.of(keptNetns), null, enterer, List.of()), sink());
            assertTrue(awaitLinkGone(hub, hubEnd), "the namespace discovery no longer found was let go");
            collect(qdisc, keptNetns, enterer);
            assertEquals(keptSocket, netlinkSocketsIn(lab, kept), "the live namespace keeps its socket");
        }
    }

    @Test
    void startCollectAndCloseLeaveTheDescriptorCountAsItWas() throws Exception {
        try (NetnsLab lab = new NetnsLab(); NetnsEnterer enterer = new NetnsEnterer(PROC)) {
            List<Netns> namespaces = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String ns = lab.add("fd" + i);
                remember(lab.inNetns(ns, () -> ServerSocketChannel.open(StandardProtocolFamily.INET)
                        .bind(new InetSocketAddress("127.0.0.1", 0))));
                namespaces.add(discovered(lab, ns, false));
            }
            // Each enter thread opens its home namespace once, for good: let both do so before counting.
            enterer.call(namespaces.get(0), () -> null);
            enterer.call(namespaces.get(1), () -> null);
            int before = openDescriptors();

            Probe qdisc = started(new QdiscProbe(), enterer);
            Probe tcp = started(new TcpSummaryProbe(), enterer);
            for (int round = 0; round < 3; round++) {
                for (Netns netns : namespaces) {
                    collect(qdisc, netns, enterer);
                    collect(tcp, netns, enterer);
                }
                assertEquals(before + 2 * namespaces.size(), openDescriptors(), "two sockets per namespace, round " + round);
            }
            qdisc.close();
            tcp.close();
            assertEquals(before, openDescriptors(), "every socket closed");
        }
    }

    @Test
    void aReloadThatDropsTheNetlinkProbesClosesTheirSockets() throws Exception {
        try (NetnsLab lab = new NetnsLab();
             TestAgent agent = TestAgent.start("probes: [qdisc, tcpsummary, netdev]\n")) {
            List<String> pods = List.of(lab.add("r0"), lab.add("r1"), lab.add("r2"));
            for (String pod : pods) {
                remember(lab.inNetns(pod, () -> ServerSocketChannel.open(StandardProtocolFamily.INET)
                        .bind(new InetSocketAddress("127.0.0.1", 0))));
            }
            agent.scrape();
            Map<String, Set<Long>> first = held(lab, pods);
            agent.scrape();
            agent.scrape();
            for (String pod : pods) {
                assertEquals(2, first.get(pod).size(), "qdisc's and tcpsummary's socket in " + pod);
            }
            assertEquals(first, held(lab, pods), "later scrapes reuse the sockets");

            agent.rewriteConfig("probes: [netdev]\n");
            assertTrue(agent.scrape().find("podnet_probe_up", "probe", "qdisc").isEmpty(), "qdisc was dropped");
            for (Set<Long> sockets : held(lab, pods).values()) {
                assertTrue(sockets.isEmpty(), "no netlink socket left in the namespaces: " + held(lab, pods));
            }
        }
    }

    private static Probe started(Probe probe, NetnsEnterer enterer) throws Exception {
        probe.start(new ProbeContext(PROC, enterer, Map.of()));
        return probe;
    }

    /** The namespace as discovery reports it; with {@code withProcess}, once its process shows up. */
    private static Netns discovered(NetnsLab lab, String ns, boolean withProcess) throws Exception {
        long inode = lab.inode(ns);
        NetnsDiscovery discovery = new NetnsDiscovery(PROC, Path.of("/run/netns"));
        for (int i = 0; i < 100; i++) {
            for (Netns n : discovery.scan()) {
                if (n.inode() == inode && (!withProcess || n.anyPid() > 0)) {
                    return n;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("discovery did not find " + ns + (withProcess ? " with a process" : ""));
    }

    private static SampleBuffer collect(Probe probe, Netns netns, NetnsEnterer enterer) throws Exception {
        SampleBuffer out = sink();
        probe.collectNamespace(netns, NetnsReaders.forNetns(PROC, netns, enterer), out);
        return out;
    }

    private static SampleBuffer sink() {
        return new SampleBuffer(new String[0], inode -> new String[0]);
    }

    /** TCP sockets in a state; a state without sockets has no sample. */
    private static double sockets(SampleBuffer samples, String state) {
        return samples.samples().stream().filter(s -> s.name().equals("podnet_tcp_sockets")
                && containsPairs(s.labels(), new String[] {"state", state})).mapToDouble(Sample::value).sum();
    }

    private static double value(SampleBuffer samples, String name, String... labels) {
        List<Sample> found = new ArrayList<>();
        for (Sample s : samples.samples()) {
            if (s.name().equals(name) && containsPairs(s.labels(), labels)) {
                found.add(s);
            }
        }
        assertEquals(1, found.size(), name + " " + Arrays.toString(labels) + " in " + samples.samples().size() + " samples");
        return found.getFirst().value();
    }

    private static boolean containsPairs(String[] have, String[] want) {
        for (int i = 0; i < want.length; i += 2) {
            boolean match = false;
            for (int j = 0; j < have.length; j += 2) {
                match |= have[j].equals(want[i]) && have[j + 1].equals(want[i + 1]);
            }
            if (!match) {
                return false;
            }
        }
        return true;
    }

    private record QdiscView(JsonNode tc, SampleBuffer samples) {
    }

    /** A collection during which tc's view of the device's root qdisc did not change (late ND packets do). */
    private static QdiscView collectWhileTcIsStill(NetnsLab lab, String ns, String dev, Probe qdisc, Netns netns,
                                                   NetnsEnterer enterer) throws Exception {
        for (int i = 0; i < 50; i++) {
            JsonNode before = JSON.readTree(lab.exec(ns, "tc", "-s", "-j", "qdisc", "show", "dev", dev)).get(0);
            SampleBuffer samples = collect(qdisc, netns, enterer);
            JsonNode after = JSON.readTree(lab.exec(ns, "tc", "-s", "-j", "qdisc", "show", "dev", dev)).get(0);
            if (before.equals(after)) {
                return new QdiscView(after, samples);
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the qdisc of " + dev + " never stood still for a collection");
    }

    private void sendUdp(NetnsLab lab, String ns, String to, int datagrams) throws IOException {
        lab.inNetns(ns, () -> {
            try (DatagramChannel udp = DatagramChannel.open(StandardProtocolFamily.INET)) {
                for (int i = 0; i < datagrams; i++) {
                    udp.send(ByteBuffer.allocate(300), new InetSocketAddress(to, 9));
                }
            }
            return null;
        });
    }

    private List<SocketChannel> dial(NetnsLab lab, String ns, ServerSocketChannel listener, int count) throws IOException {
        return lab.inNetns(ns, () -> {
            List<SocketChannel> list = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                SocketChannel ch = remember(SocketChannel.open(StandardProtocolFamily.INET));
                ch.connect(listener.getLocalAddress());
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

    private static Map<String, Set<Long>> held(NetnsLab lab, List<String> namespaces) throws IOException {
        Map<String, Set<Long>> held = new java.util.HashMap<>();
        for (String ns : namespaces) {
            held.put(ns, netlinkSocketsIn(lab, ns));
        }
        return held;
    }
}
