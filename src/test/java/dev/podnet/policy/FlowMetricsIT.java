package dev.podnet.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.podnet.testing.MockCluster;
import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.NetnsSockets;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.SsOutput;
import dev.podnet.testing.TestAgent;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Per-flow task series over real pods: web (10.233.8.1, fd00:8::1) connects to db (10.233.8.2,
 * fd00:8::2). Flow series name the addresses and ports of the packets counted, for IPv4 and IPv6; ten
 * connections to one server port are one series with flowKey service (folded in the kernel for db, in
 * user space for web, whose other task keys by 5-tuple) and ten with 5tuple; flows add up to the pod's
 * own counters. Under nftables loss a flow's retransmissions are positive and within the namespace's
 * RetransSegs, and its smoothed RTT is what ss -ti shows, within a factor of two.
 */
class FlowMetricsIT {
    private static final int CONNECTIONS = 10;
    private static final int BYTES = 10_000;

    @Test
    void flowSeriesNameTheirEndsAndFoldClientPortsByService() throws Exception {
        assumeLab();
        try (NetnsLab lab = new NetnsLab(); MockCluster cluster = new MockCluster()) {
            String web = lab.add("web");
            String db = lab.add("db");
            lab.veth(web, "10.233.8.1/24", db, "10.233.8.2/24");
            String[] veth = lab.lastVeth();
            lab.exec(web, "ip", "addr", "add", "fd00:8::1/64", "dev", veth[0], "nodad");
            lab.exec(db, "ip", "addr", "add", "fd00:8::2/64", "dev", veth[1], "nodad");
            cluster.runPod("shop", "web", "node-1", false, List.of("10.233.8.1", "fd00:8::1"), Map.of("app", "web"));
            cluster.runPod("shop", "db", "node-1", false, List.of("10.233.8.2", "fd00:8::2"), Map.of("app", "db"));
            try (TestAgent agent = startAgent(cluster)) {
                create(cluster, "web-5tuple", "2026-01-01T00:00:01Z", """
                        selector: {matchLabels: {app: web}}
                        podLabel: [app]
                        flowKey: 5tuple
                        monitor: {tcp: {tcpSend: {aggregateType: flow}, tcpReceive: {aggregateType: flow}}}
                        """);
                create(cluster, "web-service", "2026-01-01T00:00:02Z", """
                        selector: {matchLabels: {app: web}}
                        monitor: {tcp: {tcpSend: {aggregateType: flow}}, udp: {udpSend: {aggregateType: flow}}}
                        """);
                create(cluster, "db-service", "2026-01-01T00:00:03Z", """
                        selector: {matchLabels: {app: db}}
                        monitor: {tcp: {tcpReceive: {aggregateType: flow}}}
                        """);
                await(agent, s -> s.value("podnet_flow_namespaces") == 2, "both pods' flows kept");

                Set<String> clientPorts = new TreeSet<>();
                int v6Port;
                try (ServerSocket server = NetnsSockets.listen(lab, db, "10.233.8.2", 5601);
                     ServerSocket server6 = NetnsSockets.listen(lab, db, "fd00:8::2", 5602)) {
                    Thread.ofPlatform().daemon().start(() -> NetnsSockets.drainAll(server));
                    Thread.ofPlatform().daemon().start(() -> NetnsSockets.drainAll(server6));
                    for (int i = 0; i < CONNECTIONS; i++) {
                        clientPorts.add(Integer.toString(send(lab, web, "10.233.8.2", 5601, BYTES)));
                    }
                    v6Port = send(lab, web, "fd00:8::2", 5602, 2 * BYTES);
                }
                String[] web5 = {"task", "shop/web-5tuple", "namespace", "shop", "pod", "web", "app", "web"};
                Scrape s = await(agent, x -> x.find("podnet_flow_tcp_transmit_bytes_total", concat(web5, "dstport", "5601")).size()
                                == CONNECTIONS && x.find("podnet_flow_tcp_transmit_bytes_total", concat(web5, "dstport", "5602")).size() == 1,
                        "every connection drained");
                Thread.sleep(2500); // one more drain: the last FINs and ACKs
                s = agent.scrape();

                List<Scrape.Series> fiveTuple = s.find("podnet_flow_tcp_transmit_bytes_total", concat(web5, "dstport", "5601"));
                Set<String> seenPorts = new TreeSet<>();
                for (Scrape.Series series : fiveTuple) {
                    seenPorts.add(series.label("srcport"));
                    assertEquals("10.233.8.1", series.label("srcip"));
                    assertEquals("10.233.8.2", series.label("dstip"));
                    assertEquals("ipv4", series.label("ipfamily"));
                    assertTrue(series.value() >= BYTES && series.value() < BYTES * 1.2, "a connection's frames: " + series);
                }
                assertEquals(clientPorts, seenPorts, "one series per connection, by its client port");
                Scrape.Series v6 = s.find("podnet_flow_tcp_transmit_bytes_total", concat(web5, "dstport", "5602")).getFirst();
                assertEquals(Map.of("srcip", "fd00:8::1", "srcport", Integer.toString(v6Port), "dstip", "fd00:8::2",
                        "ipfamily", "ipv6"), Map.of("srcip", v6.label("srcip"), "srcport", v6.label("srcport"), "dstip",
                        v6.label("dstip"), "ipfamily", v6.label("ipfamily")));
                Scrape.Series received = s.find("podnet_flow_tcp_receive_bytes_total", concat(web5, "srcport", "5601")).getFirst();
                assertEquals("10.233.8.2", received.label("srcip"), "what web receives comes from db");

                double fiveTupleSum = fiveTuple.stream().mapToDouble(Scrape.Series::value).sum();
                List<Scrape.Series> service = s.find("podnet_flow_tcp_transmit_bytes_total", "task", "shop/web-service",
                        "dstport", "5601");
                assertEquals(1, service.size(), "ten connections, one service: " + service);
                assertEquals("", service.getFirst().label("srcport"));
                assertEquals(fiveTupleSum, service.getFirst().value(), "the same flows, folded in user space");
                List<Scrape.Series> dbSide = s.find("podnet_flow_tcp_receive_bytes_total", "task", "shop/db-service",
                        "dstport", "5601");
                assertEquals(1, dbSide.size(), "folded in db's kernel table: " + s.find("podnet_flow_tcp_receive_bytes_total"));
                assertEquals(Map.of("srcip", "10.233.8.1", "srcport", ""), Map.of("srcip", dbSide.getFirst().label("srcip"),
                        "srcport", dbSide.getFirst().label("srcport")));
                assertEquals(fiveTupleSum, dbSide.getFirst().value(), "what web sent over the veth is what db received");

                String webNetns = Long.toString(lab.inode(web));
                double podTcpSent = s.sum("podnet_traffic_bytes_total", "netns", webNetns, "direction", "transmit", "protocol", "tcp");
                double flowsTcpSent = s.sum("podnet_flow_tcp_transmit_bytes_total", web5);
                System.out.printf("flows: %d connections, 5-tuple sum %.0f bytes, service %.0f, db %.0f; pod counter %.0f%n",
                        fiveTuple.size(), fiveTupleSum, service.getFirst().value(), dbSide.getFirst().value(), podTcpSent);
                assertEquals(podTcpSent, flowsTcpSent, "the pod's TCP bytes are its flows' bytes");
                assertEquals(0, s.value("podnet_flows_dropped_total", "reason", "series_limit"));
                assertEquals(0, s.value("podnet_flow_packets_untracked_total", "reason", "kernel_map_full"));

                cluster.client().resources(MonitorPolicy.class).inNamespace("shop").withName("web-5tuple").delete();
                Scrape after = await(agent, x -> x.find("podnet_flow_tcp_transmit_bytes_total", "task", "shop/web-5tuple").isEmpty(),
                        "the deleted task's flow series gone");
                assertEquals(1, after.find("podnet_flow_tcp_transmit_bytes_total", "task", "shop/web-service", "dstport", "5601").size());
            }
        }
    }

    @Test
    void retransmitsAndRttPerFlowAgreeWithTheKernel() throws Exception {
        assumeLab();
        try (NetnsLab lab = new NetnsLab(); MockCluster cluster = new MockCluster()) {
            String web = lab.add("web");
            String db = lab.add("db");
            for (String ns : List.of(web, db)) {
                lab.exec(ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
            }
            lab.veth(web, "10.233.9.1/24", db, "10.233.9.2/24");
            String[] veth = lab.lastVeth();
            lab.exec(web, "tc", "qdisc", "add", "dev", veth[0], "root", "tbf", "rate", "4mbit", "burst", "10kb", "latency", "100ms");
            cluster.runPod("shop", "web", "node-1", false, List.of("10.233.9.1"), Map.of("app", "web"));
            try (TestAgent agent = startAgent(cluster)) {
                create(cluster, "web-flows", "2026-01-01T00:00:01Z", """
                        selector: {matchLabels: {app: web}}
                        flowKey: 5tuple
                        monitor: {tcp: {tcpSend: {aggregateType: flow}, tcpRetrans: {aggregateType: flow}, tcpRtt: {aggregateType: flow}}}
                        """);
                await(agent, s -> s.value("podnet_flow_namespaces") == 1, "web's flows kept");
                lab.spawn(db, "iperf3", "-s", "-1", "-p", "5701");
                Thread.sleep(300);
                lab.spawn(web, "iperf3", "-c", "10.233.9.2", "-p", "5701", "-t", "10");
                Thread.sleep(3000); // past slow start: the token bucket's queue is full

                List<Double> ratios = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    Thread.sleep(1000);
                    double ssMillis = SsOutput.busiestConnectionRttMillis(lab.exec(web, "ss", "-tin", "dst", "10.233.9.2"));
                    double flowMillis = busiestFlow(agent.scrape(), "podnet_flow_tcp_srtt_seconds") * 1000;
                    System.out.printf("flow srtt %.1f ms, ss -ti %.1f ms%n", flowMillis, ssMillis);
                    ratios.add(flowMillis / ssMillis);
                }
                ratios.sort(null);
                double median = ratios.get(1);
                assertTrue(median > 0.5 && median < 2, "flow srtt against ss -ti, ratios " + ratios);

                lab.nft(web, "inet", "pnflowloss", """
                        table inet pnflowloss {
                          chain out {
                            type filter hook output priority 0; policy accept;
                            tcp dport 5701 numgen random mod 100 < 3 drop
                          }
                        }
                        """);
                Thread.sleep(4000);
                Scrape s = await(agent, x -> busiestFlow(x, "podnet_flow_tcp_retransmits_total") > 0, "retransmissions under loss");
                long retransSegs = retransSegs(lab.procFile(web, "net/snmp"));
                double flowRetrans = s.sum("podnet_flow_tcp_retransmits_total", "task", "shop/web-flows");
                System.out.printf("flow retransmits %.0f, namespace RetransSegs %d%n", flowRetrans, retransSegs);
                assertTrue(flowRetrans > 0 && flowRetrans <= retransSegs, flowRetrans + " of " + retransSegs);
            }
        }
    }

    private static void assumeLab() {
        NetnsLab.assumeKernelLab();
        assumeTrue(Files.exists(Path.of("/sys/kernel/btf/vmlinux")), "needs kernel BTF for the traffic probe");
    }

    private static TestAgent startAgent(MockCluster cluster) throws Exception {
        return TestAgent.start("""
                probes: [traffic]
                kubernetes: true
                kubeconfig: %s
                nodeName: node-1
                probeSettings: {traffic: {flowDrainInterval: 500ms}}
                """.formatted(cluster.kubeconfig()));
    }

    /** Sends bytes on a new connection from inside ns and closes it; returns the client's port. */
    private static int send(NetnsLab lab, String ns, String address, int port, int bytes) throws Exception {
        try (Socket c = NetnsSockets.connect(lab, ns, address, port); OutputStream out = c.getOutputStream()) {
            out.write(new byte[bytes]);
            return c.getLocalPort();
        }
    }

    /** The value of the flow with the most bytes sent: iperf3's data stream, not its control connection. */
    private static double busiestFlow(Scrape s, String metric) {
        Scrape.Series busiest = null;
        for (Scrape.Series series : s.find("podnet_flow_tcp_transmit_bytes_total", "task", "shop/web-flows")) {
            if (busiest == null || series.value() > busiest.value()) {
                busiest = series;
            }
        }
        if (busiest == null) {
            return 0;
        }
        return s.maybe(metric, "task", "shop/web-flows", "srcport", busiest.label("srcport"), "dstport", busiest.label("dstport"))
                .orElse(0.0);
    }

    /** Tcp RetransSegs from /proc/net/snmp (a header line, then a value line). */
    private static long retransSegs(String snmp) {
        String[] lines = snmp.split("\n");
        for (int i = 0; i + 1 < lines.length; i++) {
            if (lines[i].startsWith("Tcp:") && lines[i + 1].startsWith("Tcp:")) {
                List<String> names = List.of(lines[i].split("\\s+"));
                return Long.parseLong(lines[i + 1].split("\\s+")[names.indexOf("RetransSegs")]);
            }
        }
        throw new AssertionError("no Tcp RetransSegs in " + snmp);
    }

    private static void create(MockCluster cluster, String name, String created, String spec) {
        cluster.client().resources(MonitorPolicy.class).inNamespace("shop").resource(Policies.of("shop", name, created, spec)).create();
    }

    private static String[] concat(String[] a, String... b) {
        String[] all = new String[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }

    private static Scrape await(TestAgent agent, Predicate<Scrape> ready, String what) throws Exception {
        return agent.awaitScrape(ready, what, Duration.ofSeconds(30));
    }
}
