package dev.podnet.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.podnet.testing.HostPodLink;
import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.NetnsSockets;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.TestAgent;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Tasks without Kubernetes: the config's tasks select named network namespaces by pattern, and give them
 * pod-aggregated series, flows and health checks as MonitorPolicies give pods; a reload with a bad task
 * is refused, naming it, and the last good tasks keep working.
 */
class HostTasksIT {

    @Test
    void configTasksWatchNamedNamespaces() throws Exception {
        NetnsLab.assumeKernelLab();
        assumeTrue(Files.exists(Path.of("/sys/kernel/btf/vmlinux")), "needs kernel BTF for the traffic probe");
        try (NetnsLab lab = new NetnsLab(); HostPodLink link = HostPodLink.create(lab);
             ServerSocket server = new ServerSocket()) {
            server.bind(new InetSocketAddress(link.nodeIp4, 0));
            int port = server.getLocalPort();
            String config = """
                    probes: [traffic]
                    kubernetes: false
                    probeSettings: {traffic: {flowDrainInterval: 500ms}}
                    tasks:
                      - name: web
                        namespaces: "%s-po?"
                        spec:
                          flowKey: 5tuple
                          monitor: {tcp: {tcpSend: {aggregateType: flow}}, ip: {ipSend: {aggregateType: pod}}}
                          healthCheck: {enable: true, command: ping, periodSeconds: 1, failureThreshold: 1}
                    """.formatted(lab.prefix());
            try (TestAgent agent = TestAgent.start(config)) {
                await(agent, s -> s.value("podnet_flow_namespaces") == 1, "the named namespace's flows kept");
                Thread.ofPlatform().daemon().start(() -> NetnsSockets.drainAll(server));
                int clientPort;
                try (Socket c = NetnsSockets.connect(lab, link.pod, link.nodeIp4, port); OutputStream out = c.getOutputStream()) {
                    out.write(new byte[50_000]);
                    clientPort = c.getLocalPort();
                }
                String[] flow = {"task", "web", "namespace", "", "pod", link.pod, "srcip", link.podIp4, "dstip", link.nodeIp4,
                        "dstport", Integer.toString(port)};
                Scrape s = await(agent, x -> x.maybe("podnet_flow_tcp_transmit_bytes_total", flow).orElse(0.0) >= 50_000
                        && x.maybe("podnet_health_check_up", "task", "web", "pod", link.pod).orElse(0.0) == 1,
                        "the flow and the health check");
                assertEquals(Integer.toString(clientPort), s.find("podnet_flow_tcp_transmit_bytes_total", flow).getFirst().label("srcport"));
                assertTrue(s.value("podnet_task_ip_transmit_bytes_total", "task", "web", "pod", link.pod, "ipfamily", "ipv4") >= 50_000);
                assertEquals(1, s.find("podnet_health_check_up", "task", "web").size(),
                        "one check: the namespace's IPv4 address");

                agent.rewriteConfig(config.replace("aggregateType: pod", "aggregateType: both"));
                Scrape after = agent.scrape();
                assertEquals(1, after.value("podnet_config_reloads_total", "result", "failure"));
                String status = agent.get("/status");
                assertTrue(status.contains("tasks[0] (web): spec.monitor.ip.ipSend.aggregateType"), status);
                assertEquals(1, after.find("podnet_health_check_up", "task", "web").size(), "the last good tasks still run");
            }
        }
    }

    private static Scrape await(TestAgent agent, Predicate<Scrape> ready, String what) throws Exception {
        return agent.awaitScrape(ready, what, Duration.ofSeconds(30));
    }
}
