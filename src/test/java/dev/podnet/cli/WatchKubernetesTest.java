package dev.podnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.probe.EventTypes;
import dev.podnet.probe.ProbeEvent;
import dev.podnet.testing.MockCluster;
import dev.podnet.testing.TestAgent;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code podnet watch --kubernetes} against fabric8's mock API server: podnet's pods are found by label and
 * followed as they come and go. The mock server has no port-forward, so the forwarder maps pods to agents
 * running in-process; everything else is the command as it runs.
 */
class WatchKubernetesTest {
    private static final Map<String, String> PODNET = Map.of("app.kubernetes.io/name", "podnet");
    private static final Duration GUARD = Duration.ofSeconds(60);

    private MockCluster cluster;
    private TestAgent agentA;
    private TestAgent agentB;
    private final Map<String, Integer> agentPortByPod = new ConcurrentHashMap<>();
    private final List<String> forwarded = new CopyOnWriteArrayList<>();
    private final List<String> closed = new CopyOnWriteArrayList<>();
    private final StringWriter out = new StringWriter();
    private Thread watch;

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        String config = "probes: [netdev]\nkubernetes: false\n";
        agentA = TestAgent.start(config);
        agentB = TestAgent.start(config);
    }

    @AfterEach
    void stop() throws Exception {
        if (watch != null) {
            watch.interrupt();
            watch.join(GUARD.toMillis());
        }
        agentA.close();
        agentB.close();
        cluster.close();
    }

    private void runWatch(String... args) {
        WatchCommand command = new WatchCommand();
        command.forwarder = (client, pod, port) -> {
            String name = pod.getMetadata().getName();
            forwarded.add(name + ":" + port);
            return new KubernetesAgents.Forward("127.0.0.1:" + agentPortByPod.get(name), () -> closed.add(name));
        };
        CommandLine commandLine = new CommandLine(command);
        commandLine.setOut(new PrintWriter(out, true));
        commandLine.setErr(new PrintWriter(out, true));
        List<String> all = new java.util.ArrayList<>(List.of("--kubernetes", "--kubeconfig", cluster.kubeconfig().toString()));
        all.addAll(List.of(args));
        watch = Thread.ofPlatform().name("podnet watch --kubernetes").start(() -> commandLine.execute(all.toArray(String[]::new)));
    }

    private String awaitOut(String contained) throws InterruptedException {
        long deadline = System.nanoTime() + GUARD.toNanos();
        while (!out.toString().contains(contained)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no \"" + contained + "\" within " + GUARD.toSeconds() + " s; output:\n" + out);
            }
            Thread.sleep(20);
        }
        return out.toString();
    }

    private void podnetPod(String namespace, String name, String node, String phase, Map<String, String> labels, TestAgent agent) {
        agentPortByPod.put(name, agent.port());
        Pod pod = new PodBuilder()
                .withNewMetadata().withNamespace(namespace).withName(name).withLabels(labels).endMetadata()
                .withNewSpec().withNodeName(node)
                .addNewContainer().withName("podnet").withImage("podnet:test").addNewPort().withName("metrics").withContainerPort(9476)
                .endPort().endContainer().endSpec()
                .withNewStatus().withPhase(phase).endStatus().build();
        cluster.client().pods().inNamespace(namespace).resource(pod).create();
    }

    private static void emit(TestAgent agent, String message) {
        agent.agent().events().emit(new ProbeEvent(EventTypes.PACKET_DROP, "test", 0, Map.of(), message));
    }

    @Test
    void theDaemonSetsPodsAreWatchedAsTheyComeAndGo() throws Exception {
        podnetPod("podnet", "podnet-a", "node-a", "Running", PODNET, agentA);
        podnetPod("podnet", "podnet-b", "node-b", "Running", PODNET, agentB);
        podnetPod("podnet", "podnet-starting", "node-c", "Pending", PODNET, agentB);
        podnetPod("podnet", "grafana", "node-a", "Running", Map.of("app.kubernetes.io/name", "grafana"), agentB);
        podnetPod("default", "podnet-elsewhere", "node-a", "Running", PODNET, agentB);
        runWatch();
        awaitOut("[agent podnet/podnet-a] connected");
        awaitOut("[agent podnet/podnet-b] connected");
        assertEquals(List.of("podnet-a:9476", "podnet-b:9476"), forwarded.stream().sorted().toList(),
                "only Running pods of the selector in podnet's namespace, on their metrics port");

        emit(agentA, "from node a");
        emit(agentB, "from node b");
        awaitOut(" from node a");
        awaitOut(" from node b");

        cluster.deletePod("podnet", "podnet-b");
        awaitOut("[agent podnet/podnet-b] removed: the pod was deleted");
        assertEquals(List.of("podnet-b"), closed);

        podnetPod("podnet", "podnet-c", "node-c", "Running", PODNET, agentB);
        awaitOut("[agent podnet/podnet-c] connected");
        emit(agentB, "from node c");
        awaitOut(" from node c");
    }

    @Test
    void onlyTheAgentsOfTheNamedNodesAreWatched() throws Exception {
        runWatch("--node", "node-b", "--agent-port", "9999");
        awaitOut("no running pods with app.kubernetes.io/name=podnet in namespace podnet on node-b yet");
        podnetPod("podnet", "podnet-a", "node-a", "Running", PODNET, agentA);
        podnetPod("podnet", "podnet-b", "node-b", "Running", PODNET, agentB);
        String text = awaitOut("[agent podnet/podnet-b] connected");
        assertFalse(text.contains("podnet-a"), text);
        assertEquals(List.of("podnet-b:9999"), forwarded);
        emit(agentB, "node b only");
        assertTrue(awaitOut(" node b only").contains("PACKET_DROP"));
    }
}
