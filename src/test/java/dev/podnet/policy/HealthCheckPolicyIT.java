package dev.podnet.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.event.Event;
import dev.podnet.event.EventJson;
import dev.podnet.probe.EventTypes;
import dev.podnet.testing.HostPodLink;
import dev.podnet.testing.MockCluster;
import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.NetnsSockets;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.Sh;
import dev.podnet.testing.TestAgent;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * Health checks asked for by MonitorPolicies, end to end: a pod joined to the node by a veth pair is
 * checked by ping over IPv4 and IPv6 and by HTTP; the series carry the task, the pod and its labels;
 * nftables dropping the pings takes the pod down after failureThreshold failures and it recovers when
 * the rule goes; a deleted policy's checks and series go with it.
 */
class HealthCheckPolicyIT {

    @Test
    void policiesCheckTheirPodsFromTheNode() throws Exception {
        NetnsLab.assumeKernelLab();
        try (NetnsLab lab = new NetnsLab(); HostPodLink link = HostPodLink.create(lab); MockCluster cluster = new MockCluster();
             ServerSocket http = NetnsSockets.listen(lab, link.pod, link.podIp4, 8080)) {
            Thread.ofPlatform().daemon().start(() -> NetnsSockets.drainAll(http)); // connected is healthy
            cluster.runPod("shop", "web", "node-1", false, List.of(link.podIp4, link.podIp6), Map.of("app", "web", "tier", "front"));
            Path events = Files.createTempFile("podnet-health-events", ".ndjson");
            try (TestAgent agent = TestAgent.start("""
                    probes: [sockstat]
                    kubernetes: true
                    kubeconfig: %s
                    nodeName: node-1
                    events: {sinks: [{type: file, path: %s}]}
                    """.formatted(cluster.kubeconfig(), events))) {
                create(cluster, "ping", """
                        selector: {matchLabels: {app: web}}
                        podLabel: [tier]
                        healthCheck: {enable: true, command: ping, ipFamilies: [IPv4, IPv6], periodSeconds: 1, failureThreshold: 2}
                        """);
                create(cluster, "http", """
                        selector: {matchLabels: {app: web}}
                        healthCheck: {enable: true, command: curl, port: 8080, path: /healthz, periodSeconds: 1, failureThreshold: 3}
                        """);
                String[] ping4 = {"task", "shop/ping", "namespace", "shop", "pod", "web", "tier", "front", "ipfamily", "ipv4"};
                Scrape up = await(agent, s -> s.maybe("podnet_health_check_up", ping4).orElse(0.0) == 1
                        && s.maybe("podnet_health_check_up", "task", "shop/ping", "ipfamily", "ipv6").orElse(0.0) == 1
                        && s.maybe("podnet_health_check_up", "task", "shop/http").orElse(0.0) == 1, "all three checks up");
                assertTrue(up.value("podnet_health_checks_total", concat(ping4, "result", "success")) >= 1);

                lab.nft(link.pod, "inet", "pnnoping", """
                        table inet pnnoping {
                          chain in {
                            type filter hook input priority 0; policy accept;
                            icmp type echo-request drop
                            icmpv6 type echo-request drop
                          }
                        }
                        """);
                Scrape down = await(agent, s -> s.value("podnet_health_check_up", ping4) == 0, "ping down");
                assertTrue(down.value("podnet_health_checks_total", concat(ping4, "result", "failure")) >= 2,
                        "down only after failureThreshold failures in a row");
                assertEquals(1, down.value("podnet_health_check_up", "task", "shop/http"), "the HTTP check is not affected");
                System.out.printf("health: ping down after %.0f failures%n",
                        down.value("podnet_health_checks_total", concat(ping4, "result", "failure")));
                Sh.run("ip", "netns", "exec", link.pod, "nft", "delete", "table", "inet", "pnnoping");
                await(agent, s -> s.value("podnet_health_check_up", ping4) == 1, "ping back up");
                List<Event> health = awaitEvents(events, 2);
                assertEquals(List.of(EventTypes.HEALTH_CHECK_FAILED, EventTypes.HEALTH_CHECK_RECOVERED),
                        health.stream().map(Event::type).distinct().toList(), "down, then back: " + health);
                Event failed = health.getFirst();
                assertEquals(List.of("shop", "web", "shop/ping", link.podIp4), List.of(failed.namespace(), failed.pod(),
                        failed.fields().get("task"), failed.fields().get("daddr")));

                cluster.client().resources(MonitorPolicy.class).inNamespace("shop").withName("ping").delete();
                Scrape after = await(agent, s -> s.find("podnet_health_check_up", "task", "shop/ping").isEmpty(), "its checks gone");
                assertEquals(1, after.find("podnet_health_check_up", "task", "shop/http").size());
            }
        }
    }

    /** The health events of the file sink (one per IPv4 and IPv6 target), once there are at least {@code n}. */
    private static List<Event> awaitEvents(Path file, int n) throws Exception {
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (true) {
            List<Event> events = new ArrayList<>();
            for (String line : Files.readAllLines(file)) {
                Event e = EventJson.parse(line);
                if (e.type().startsWith("HEALTH_CHECK") && "ipv4".equals(ipFamilyOf(e))) {
                    events.add(e);
                }
            }
            if (events.size() >= n || System.nanoTime() > until) {
                return events;
            }
            Thread.sleep(200);
        }
    }

    private static String ipFamilyOf(Event e) {
        return String.valueOf(e.fields().get("daddr")).contains(":") ? "ipv6" : "ipv4";
    }

    private static void create(MockCluster cluster, String name, String spec) {
        cluster.client().resources(MonitorPolicy.class).inNamespace("shop")
                .resource(Policies.of("shop", name, "2026-01-01T00:00:0" + name.length() + "Z", spec)).create();
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
