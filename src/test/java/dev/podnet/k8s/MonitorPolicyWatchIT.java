package dev.podnet.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.podnet.policy.MonitorPolicy;
import dev.podnet.testing.MockCluster;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.TestAgent;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.time.Duration;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;

/**
 * MonitorPolicies are watched and applied without a restart: each valid one is a task in force
 * ({@code podnet_monitor_policy_valid 1}), an invalid one is refused with its field named in /status
 * (0) while the others keep working, at most maxTasks are in force (the oldest), and a deleted policy
 * is gone by the next scrape.
 */
class MonitorPolicyWatchIT {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void policiesAreValidatedAndCountedAsTheyComeAndGo() throws Exception {
        try (MockCluster cluster = new MockCluster();
             TestAgent agent = TestAgent.start("""
                     probes: [netdev]
                     kubernetes: true
                     kubeconfig: %s
                     nodeName: node-1
                     maxTasks: 2
                     """.formatted(cluster.kubeconfig()))) {
            create(cluster, "team-a", "web", "2026-01-01T00:00:01Z", "monitor: {tcp: {tcpSend: {aggregateType: pod}}}");
            create(cluster, "team-a", "bad", "2026-01-01T00:00:02Z", "monitor: {tcp: {tcpRtt: {aggregateType: pod}}}");
            create(cluster, "team-b", "db", "2026-01-01T00:00:03Z", "ip4Tx: {enable: true}");
            create(cluster, "team-c", "late", "2026-01-01T00:00:04Z", "ip4Rx: {enable: true}");

            Scrape scrape = await(agent, s -> s.find("podnet_monitor_policy_valid").size() == 4, "four policies seen");
            assertEquals(1, scrape.value("podnet_monitor_policy_valid", "task", "team-a/web"));
            assertEquals(1, scrape.value("podnet_monitor_policy_valid", "task", "team-b/db"));
            assertEquals(0, scrape.value("podnet_monitor_policy_valid", "task", "team-a/bad"));
            assertEquals(0, scrape.value("podnet_monitor_policy_valid", "task", "team-c/late"), "over maxTasks");
            JsonNode policies = JSON.readTree(agent.get("/status")).path("policies");
            assertEquals("[\"team-a/web\",\"team-b/db\"]", policies.path("inForce").toString());
            assertTrue(policies.path("refused").path("team-a/bad").asText()
                    .contains("spec.monitor.tcp.tcpRtt.aggregateType: \"pod\" is not allowed here, only flow"), policies.toString());
            assertTrue(policies.path("refused").path("team-c/late").asText().contains("over maxTasks (2)"), policies.toString());

            cluster.client().resources(MonitorPolicy.class).inNamespace("team-a").withName("web").delete();
            scrape = await(agent, s -> s.find("podnet_monitor_policy_valid", "task", "team-a/web").isEmpty(), "the deleted policy gone");
            assertEquals(1, scrape.value("podnet_monitor_policy_valid", "task", "team-c/late"), "next in line, now in force");
        }
    }

    private static void create(MockCluster cluster, String namespace, String name, String created, String spec) {
        MonitorPolicy policy = Serialization.unmarshal("""
                apiVersion: podnet.dev/v1alpha1
                kind: MonitorPolicy
                metadata: {name: %s, namespace: %s, creationTimestamp: "%s"}
                spec: {%s}
                """.formatted(name, namespace, created, spec), MonitorPolicy.class);
        cluster.client().resources(MonitorPolicy.class).inNamespace(namespace).resource(policy).create();
    }

    private static Scrape await(TestAgent agent, Predicate<Scrape> ready, String what) throws Exception {
        return agent.awaitScrape(ready, what, Duration.ofSeconds(20));
    }
}
