package dev.podnet.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TaskSetTest {

    @Test
    void atMostMaxTasksTheOldestFirstAndTheInvalidOnesRefused() {
        List<MonitorPolicy> policies = new ArrayList<>();
        for (int i = 11; i >= 0; i--) { // listed newest first: the order must not matter
            policies.add(Policies.of("team-" + (i % 3), "p" + i, "2026-01-01T00:00:%02dZ".formatted(i),
                    "ip4Tx: {enable: true}"));
        }
        policies.add(Policies.of("team-x", "broken", "2025-01-01T00:00:00Z", "flowKey: ports"));
        TaskSet set = TaskSet.of(policies, 10);
        assertEquals(10, set.inForce().size());
        assertEquals("team-0/p0", set.inForce().getFirst().name());
        assertEquals("team-0/p9", set.inForce().getLast().name());
        assertEquals(3, set.refused().size());
        assertTrue(set.refused().get("team-1/p10").contains("over maxTasks (10)"), set.refused().toString());
        assertTrue(set.refused().get("team-2/p11").contains("over maxTasks (10)"));
        assertTrue(set.refused().get("team-x/broken").contains("spec.flowKey"), "the invalid one, though oldest, is refused");
    }

    @Test
    void dolphinsExamplePoliciesAreAllInForce() {
        assertEquals(1, TaskSet.of(List.of(Policies.resource("dolphin-health-ping.yaml")), 10).inForce().size());
        assertEquals(1, TaskSet.of(List.of(Policies.resource("dolphin-pod.yaml")), 10).inForce().size());
        assertEquals(1, TaskSet.of(List.of(Policies.resource("dolphin-flow.yaml")), 10).inForce().size());
    }

    @Test
    void aPolicySelectsItsOwnNamespaceOnlyUnlessItIsTheAgentsNamespace() throws Exception {
        Task tenant = PolicyCompiler.compile(Policies.of("team-a", "t", "2026-01-01T00:00:00Z", "{}"));
        Task operator = PolicyCompiler.compile(Policies.of("podnet", "o", "2026-01-01T00:00:00Z", "{}"));
        assertTrue(TaskSet.inScope(tenant, "team-a", "podnet"));
        assertFalse(TaskSet.inScope(tenant, "team-b", "podnet"));
        assertTrue(TaskSet.inScope(operator, "team-b", "podnet"));
    }

    @Test
    void labelSelectorsFollowKubernetesSemantics() {
        var selector = Policies.of("a", "s", "2026-01-01T00:00:00Z", """
                selector:
                  matchLabels: {app: web}
                  matchExpressions:
                    - {key: tier, operator: In, values: [front, edge]}
                    - {key: canary, operator: DoesNotExist}
                    - {key: zone, operator: NotIn, values: [z9]}
                """).getSpec().selector();
        assertTrue(PodSelector.matches(selector, Map.of("app", "web", "tier", "edge")));
        assertFalse(PodSelector.matches(selector, Map.of("app", "web", "tier", "back")));
        assertFalse(PodSelector.matches(selector, Map.of("app", "web", "tier", "front", "canary", "1")));
        assertFalse(PodSelector.matches(selector, Map.of("app", "web", "tier", "front", "zone", "z9")));
        assertFalse(PodSelector.matches(selector, Map.of("app", "db", "tier", "front")));
        assertTrue(PodSelector.matches(null, Map.of()));
    }
}
