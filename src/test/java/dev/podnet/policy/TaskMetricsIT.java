package dev.podnet.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.testing.MockCluster;
import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.NetnsSockets;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.TestAgent;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * MonitorPolicies over real pods: two namespaces joined by a veth pair are the pods web and db of the
 * mock API server. Each task's series carry its name, the pod and the task's own pod labels, and equal
 * the pod's own counters; two tasks selecting a pod give two copies; a tenant's policy never selects
 * another namespace's pods while the agent namespace's does; a deleted policy's series go.
 */
class TaskMetricsIT {
    private static final int TCP_BYTES = 2_000_000;
    private static final int DATAGRAMS = 10;

    @Test
    void podAggregatedTaskSeriesComeFromThePodsOwnCounters() throws Exception {
        NetnsLab.assumeKernelLab();
        assumeTrue(Files.exists(Path.of("/sys/kernel/btf/vmlinux")), "needs kernel BTF for the traffic probe");
        try (NetnsLab lab = new NetnsLab(); MockCluster cluster = new MockCluster()) {
            String web = lab.add("web");
            String db = lab.add("db");
            for (String ns : List.of(web, db)) {
                lab.exec(ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
            }
            lab.veth(web, "10.233.7.1/24", db, "10.233.7.2/24");
            cluster.runPod("shop", "web", "node-1", false, List.of("10.233.7.1"), Map.of("app", "web", "version", "v1"));
            cluster.runPod("shop", "db", "node-1", false, List.of("10.233.7.2"), Map.of("app", "db"));
            try (TestAgent agent = TestAgent.start("""
                    probes: [traffic, tcpconn, tcpretrans, packetloss]
                    kubernetes: true
                    kubeconfig: %s
                    nodeName: node-1
                    """.formatted(cluster.kubeconfig()))) {
                create(cluster, "shop", "web-tcp", "2026-01-01T00:00:01Z", """
                        selector: {matchLabels: {app: web}}
                        podLabel: [app, version, team]
                        ip4Tx: {enable: true}
                        monitor:
                          tcp: {tcpSend: {aggregateType: pod}, tcpReceive: {aggregateType: pod}, tcpNewConnection: {aggregateType: pod}}
                          udp: {udpSend: {aggregateType: pod}}
                        """);
                create(cluster, "podnet", "node-wide", "2026-01-01T00:00:02Z", """
                        monitor: {tcp: {tcpSend: {aggregateType: pod}}, ip: {ipSend: {aggregateType: pod}}}
                        """);
                create(cluster, "other", "tenant", "2026-01-01T00:00:03Z", "monitor: {ip: {ipSend: {aggregateType: pod}}}");
                create(cluster, "shop", "broken", "2026-01-01T00:00:04Z", "monitor: {udp: {udpSend: {aggregateType: both}}}");
                await(agent, s -> !s.find("podnet_task_tcp_transmit_bytes_total", "task", "shop/web-tcp").isEmpty()
                        && s.find("podnet_monitor_policy_valid").size() == 4, "the tasks applied to the attributed pods");

                exchange(lab, web, db);
                Scrape s = await(agent, x -> x.sum("podnet_task_udp_transmit_packets_total", "task", "shop/web-tcp") >= DATAGRAMS,
                        "the datagrams in the task series");
                String webNetns = Long.toString(lab.inode(web));
                double podTcpSent = s.value("podnet_traffic_bytes_total", "netns", webNetns, "direction", "transmit",
                        "ipfamily", "ipv4", "protocol", "tcp");
                String[] webTask = {"task", "shop/web-tcp", "namespace", "shop", "pod", "web", "app", "web", "version", "v1",
                        "team", ""};
                double taskTcpSent = s.value("podnet_task_tcp_transmit_bytes_total", concat(webTask, "ipfamily", "ipv4"));
                System.out.printf("task series: web sent %.0f TCP bytes (pod counter %.0f)%n", taskTcpSent, podTcpSent);
                assertEquals(podTcpSent, taskTcpSent, "the pod's own counter, regrouped");
                assertTrue(taskTcpSent >= TCP_BYTES && taskTcpSent < TCP_BYTES * 1.1, "the bytes sent: " + taskTcpSent);
                assertEquals(s.sum("podnet_traffic_packets_total", "netns", webNetns, "direction", "transmit", "protocol", "udp"),
                        s.value("podnet_task_udp_transmit_packets_total", concat(webTask, "ipfamily", "ipv4")));
                assertEquals(s.sum("podnet_traffic_bytes_total", "netns", webNetns, "direction", "transmit", "ipfamily", "ipv4"),
                        s.value("podnet_task_ip4_transmit_bytes_total", webTask));
                assertTrue(s.value("podnet_task_tcp_connections_total", webTask) >= 1, "the connection web opened");

                // the agent namespace's task selects both pods; the tenant's task in "other" selects none of "shop"'s
                assertEquals(taskTcpSent, s.value("podnet_task_tcp_transmit_bytes_total", "task", "podnet/node-wide", "pod", "web",
                        "ipfamily", "ipv4"), "a second task over the same pod: a second copy");
                assertEquals(1, s.find("podnet_task_ip_transmit_bytes_total", "task", "podnet/node-wide", "pod", "db").size());
                assertTrue(s.find("podnet_task_ip_transmit_bytes_total", "task", "other/tenant").isEmpty(),
                        "a tenant's policy never selects another namespace's pod");
                assertEquals(0, s.value("podnet_monitor_policy_valid", "task", "shop/broken"));
                assertEquals(1, s.value("podnet_monitor_policy_valid", "task", "other/tenant"));

                cluster.client().resources(MonitorPolicy.class).inNamespace("shop").withName("web-tcp").delete();
                Scrape after = await(agent, x -> x.find("podnet_monitor_policy_valid", "task", "shop/web-tcp").isEmpty(),
                        "the deleted policy gone");
                assertTrue(after.find("podnet_task_tcp_transmit_bytes_total", "task", "shop/web-tcp").isEmpty(),
                        "its series gone with it");
                assertEquals(1, after.find("podnet_task_tcp_transmit_bytes_total", "task", "podnet/node-wide", "pod", "web").size());
            }
        }
    }

    private static void exchange(NetnsLab lab, String web, String db) throws Exception {
        try (ServerSocket server = NetnsSockets.listen(lab, db, "10.233.7.2", 5601);
             DatagramSocket udpServer = lab.inNetns(db, () -> new DatagramSocket(5602, InetAddress.getByName("10.233.7.2")));
             DatagramSocket udpClient = lab.inNetns(web, DatagramSocket::new)) {
            Thread reader = Thread.ofPlatform().start(() -> {
                try (Socket s = server.accept()) {
                    s.getInputStream().transferTo(OutputStream.nullOutputStream());
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            try (Socket c = NetnsSockets.connect(lab, web, "10.233.7.2", 5601); OutputStream out = c.getOutputStream()) {
                out.write(new byte[TCP_BYTES]);
            }
            reader.join(10_000);
            for (int i = 0; i < DATAGRAMS; i++) {
                udpClient.send(new DatagramPacket(new byte[100], 100, InetAddress.getByName("10.233.7.2"), 5602));
            }
        }
    }

    private static void create(MockCluster cluster, String namespace, String name, String created, String spec) {
        cluster.client().resources(MonitorPolicy.class).inNamespace(namespace)
                .resource(Policies.of(namespace, name, created, spec)).create();
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
