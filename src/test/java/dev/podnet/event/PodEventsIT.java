package dev.podnet.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.podnet.probe.EventTypes;
import dev.podnet.testing.MockCluster;
import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.NetnsSockets;
import dev.podnet.testing.TestAgent;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Kernel events of real pods, end to end through the agent with the mock API server: each event names
 * the pod it happened to (the server pod for the reset it sent, the client pod for the reset it got and
 * its failed connect), over IPv4 and IPv6; an nftables drop in a pod is a PACKET_DROP with the kernel's
 * reason and a named location; a listen queue overflowed on purpose is a LISTEN_OVERFLOW of that pod.
 */
class PodEventsIT {
    private static final int CLOSED_PORT = 5998;
    private static final int FILTERED_PORT = 5997;
    private static final int BACKLOG_PORT = 5996;

    @Test
    void kernelEventsNameTheirPods() throws Exception {
        NetnsLab.assumeKernelLab();
        assumeTrue(Files.exists(Path.of("/sys/kernel/btf/vmlinux")), "needs kernel BTF for the BPF probes");
        Path file = Files.createTempFile("podnet-pod-events", ".ndjson");
        try (NetnsLab lab = new NetnsLab(); MockCluster cluster = new MockCluster()) {
            String web = lab.add("web");
            String db = lab.add("db");
            lab.veth(web, "10.233.12.1/24", db, "10.233.12.2/24");
            String[] veth = lab.lastVeth();
            lab.exec(web, "ip", "addr", "add", "fd00:12::1/64", "dev", veth[0], "nodad");
            lab.exec(db, "ip", "addr", "add", "fd00:12::2/64", "dev", veth[1], "nodad");
            cluster.runPod("shop", "web", "node-1", false, List.of("10.233.12.1", "fd00:12::1"), Map.of("app", "web"));
            cluster.runPod("shop", "db", "node-1", false, List.of("10.233.12.2", "fd00:12::2"), Map.of("app", "db"));
            try (TestAgent agent = TestAgent.start("""
                    probes: [tcpreset, tcpconn, packetloss, netstat]
                    kubernetes: true
                    kubeconfig: %s
                    nodeName: node-1
                    events:
                      sinks: [{type: file, path: %s}]
                    """.formatted(cluster.kubeconfig(), file))) {
                agent.awaitScrape(s -> s.find("podnet_pod_info", "pod", "db").stream().anyMatch(x -> !x.label("netns").isEmpty()),
                        "db attributed", Duration.ofSeconds(30));

                int v4Port = refused(lab, web, "10.233.12.2");
                int v6Port = refused(lab, web, "fd00:12::2");
                Event sent = await(file, e -> e.type().equals(EventTypes.TCP_RESET_NO_SOCKET) && v4Port == num(e, "dport"));
                assertEquals(List.of("shop", "db", "10.233.12.2", CLOSED_PORT, "10.233.12.1"),
                        List.of(sent.namespace(), sent.pod(), sent.fields().get("saddr"), num(sent, "sport"), sent.fields().get("daddr")));
                Event sent6 = await(file, e -> e.type().equals(EventTypes.TCP_RESET_NO_SOCKET) && v6Port == num(e, "dport"));
                assertEquals(List.of("db", "ipv6", "fd00:12::2", "fd00:12::1"),
                        List.of(sent6.pod(), sent6.fields().get("family"), sent6.fields().get("saddr"), sent6.fields().get("daddr")));
                Event received = await(file, e -> e.type().equals(EventTypes.TCP_RESET_RECEIVED) && v4Port == num(e, "sport"));
                assertEquals("web", received.pod());
                Event failed = await(file, e -> e.type().equals(EventTypes.CONNECT_FAILED) && v6Port == num(e, "sport"));
                assertEquals(List.of("web", "ECONNREFUSED", "fd00:12::2", CLOSED_PORT),
                        List.of(failed.pod(), failed.fields().get("reason"), failed.fields().get("daddr"), num(failed, "dport")));

                lab.nft(db, "inet", "pndropev", """
                        table inet pndropev {
                          chain in {
                            type filter hook input priority 0; policy accept;
                            tcp dport %d drop
                          }
                        }
                        """.formatted(FILTERED_PORT));
                try (Socket s = boundIn(lab, web)) {
                    s.connect(new InetSocketAddress("10.233.12.2", FILTERED_PORT), 300);
                } catch (IOException expected) {
                    // the SYN is dropped: the connect times out
                }
                Event drop = await(file, e -> e.type().equals(EventTypes.PACKET_DROP) && num(e, "dport") == FILTERED_PORT);
                assertEquals(List.of("shop", "db", "NETFILTER_DROP"), List.of(drop.namespace(), drop.pod(), drop.fields().get("reason")));
                assertTrue(String.valueOf(drop.fields().get("location")).matches("\\w+\\+0x[0-9a-f]+"), drop.toString());

                overflowBacklog(lab, db, web);
                Event overflow = awaitScraping(agent, file, e -> e.type().equals(EventTypes.LISTEN_OVERFLOW));
                assertEquals(List.of("shop", "db"), List.of(overflow.namespace(), overflow.pod()));
                assertTrue(num(overflow, "count") >= 1, overflow.toString());
                System.out.printf("pod events: %s; %s; %s%n", sent.message(), drop.message(), overflow.message());
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** A connect from ns to a closed port; returns the client's port. */
    private static int refused(NetnsLab lab, String ns, String address) throws Exception {
        Socket socket = lab.inNetns(ns, () -> {
            Socket s = new Socket();
            s.bind(new InetSocketAddress(address.contains(":") ? "fd00:12::1" : "10.233.12.1", 0));
            return s;
        });
        try (socket) {
            socket.connect(new InetSocketAddress(address, CLOSED_PORT), 5000);
            throw new AssertionError("the port was open");
        } catch (IOException expected) {
            return socket.getLocalPort();
        }
    }

    /** A socket of the namespace: java.net makes its descriptor at bind (or connect) time, so bind there. */
    private static Socket boundIn(NetnsLab lab, String ns) throws IOException {
        return lab.inNetns(ns, () -> {
            Socket s = new Socket();
            s.bind(new InetSocketAddress("10.233.12.1", 0));
            return s;
        });
    }

    /** A listener with a backlog of 1 that never accepts, and more connects than it can queue. */
    private static void overflowBacklog(NetnsLab lab, String server, String client) throws Exception {
        ServerSocket listener = lab.inNetns(server, () -> {
            ServerSocket s = new ServerSocket();
            s.bind(new InetSocketAddress("10.233.12.2", BACKLOG_PORT), 1);
            return s;
        });
        List<Socket> clients = new ArrayList<>();
        try (listener) {
            for (int i = 0; i < 8; i++) {
                Socket s = boundIn(lab, client);
                clients.add(s);
                Thread.ofVirtual().start(() -> {
                    try {
                        s.connect(new InetSocketAddress("10.233.12.2", BACKLOG_PORT), 3000);
                    } catch (IOException e) {
                        // queue full: the SYN or the final ACK is dropped, as intended
                    }
                });
            }
            Thread.sleep(2000);
        } finally {
            for (Socket s : clients) {
                s.close();
            }
        }
    }

    /** Counter-change events come from collections: scrape until the event is there. */
    private static Event awaitScraping(TestAgent agent, Path file, Predicate<Event> wanted) throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < until) {
            agent.scrape();
            for (Event e : read(file)) {
                if (wanted.test(e)) {
                    return e;
                }
            }
            Thread.sleep(500);
        }
        throw new AssertionError("no such event in " + read(file));
    }

    private static Event await(Path file, Predicate<Event> wanted) throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (System.nanoTime() < until) {
            for (Event e : read(file)) {
                if (wanted.test(e)) {
                    return e;
                }
            }
            Thread.sleep(200);
        }
        throw new AssertionError("no such event in " + read(file));
    }

    private static List<Event> read(Path file) throws IOException {
        List<Event> events = new ArrayList<>();
        for (String line : Files.readAllLines(file)) {
            if (!line.isBlank()) {
                events.add(EventJson.parse(line));
            }
        }
        return events;
    }

    private static int num(Event e, String field) {
        Object v = e.fields().get(field);
        return v instanceof Number n ? n.intValue() : -1;
    }
}
