package dev.podnet.event;

import static dev.podnet.event.SinkTesting.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.podnet.testing.MockCluster;
import dev.podnet.testing.TestAgent;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The agent hands its API client and pod index to the sinks. */
class AgentSinksTest {

    @Test
    void theKubernetesSinkWritesThroughTheAgentsClientWithThePodUidFromItsIndex() throws Exception {
        try (MockCluster cluster = new MockCluster()) {
            String uid = cluster.runPod("shop", "web", "node-1", false, List.of("10.244.1.7"), Map.of()).getMetadata().getUid();
            String yaml = "probes: [netdev]\nkubernetes: true\nkubeconfig: " + cluster.kubeconfig() + "\nnodeName: node-1\n"
                    + "events:\n  sinks:\n    - type: kubernetes\n";
            try (TestAgent agent = TestAgent.start(yaml)) {
                EventBus bus = agent.agent().events();
                assertEquals(List.of("kubernetes"), bus.sinkNames());
                await(() -> agent.agent().kubernetes().pods().stream().anyMatch(p -> p.name().equals("web")), "the pod index has web");
                bus.publish(new dev.podnet.event.Event(0, Instant.now(), "node-1", "TCP_RESET_NO_SOCKET", "warning", "tcpreset", 4026532001L,
                        "shop", "web", Map.of("dport", 8080), "reset: no socket"));
                await(() -> !cluster.client().events().v1().events().inNamespace("shop").list().getItems().isEmpty(), "an Event about web");
                Event e = cluster.client().events().v1().events().inNamespace("shop").list().getItems().getFirst();
                assertEquals(uid, e.getRegarding().getUid());
                assertEquals("node-1", e.getReportingInstance());
            }
        }
    }

    @Test
    void withoutTheKubernetesApiTheKubernetesSinkIsLeftOutAndTheOthersRun() throws Exception {
        String yaml = "probes: [netdev]\nkubernetes: false\nevents:\n  sinks:\n    - type: kubernetes\n    - type: log\n";
        try (TestAgent agent = TestAgent.start(yaml)) {
            assertEquals(List.of("log"), agent.agent().events().sinkNames());
        }
    }
}
