package dev.podnet.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.config.HostTasks;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Config tasks compile by the MonitorPolicy rules, watch namespaces by name, and name what is wrong. */
class HostTaskCompilerTest {

    @Test
    void aConfigTaskIsAMonitorPolicyTaskOverNamedNamespaces() throws Exception {
        List<Task> tasks = HostTaskCompiler.compileAll(List.of(
                new HostTasks.HostTask("web", "app-*", Map.of("flowKey", "5tuple",
                        "monitor", Map.of("tcp", Map.of("tcpSend", Map.of("aggregateType", "flow")))))));
        Task web = tasks.getFirst();
        assertEquals("web", web.name());
        assertEquals(Task.FlowKey.FIVE_TUPLE, web.flowKey());
        assertTrue(web.wantsFlows());
        var pods = List.of(new TaskMetrics.NodePod("", "app-1", Map.of(), 11, List.of()),
                new TaskMetrics.NodePod("", "db-1", Map.of(), 12, List.of()));
        assertEquals(List.of("app-1"), TaskMetrics.select(tasks, pods, "podnet").get(web).stream().map(TaskMetrics.NodePod::name).toList());
    }

    @Test
    void badSpecsAreRefusedWithTheFieldNamed() {
        assertRefused(Map.of("monitor", Map.of("udp", Map.of("udpSend", Map.of("aggregateType", "both")))),
                "spec.monitor.udp.udpSend.aggregateType");
        assertRefused(Map.of("selector", Map.of("matchLabels", Map.of("app", "web"))), "spec.selector: a config task selects");
        assertRefused(Map.of("monitr", Map.of()), "spec: unknown field \"monitr\"");
        assertRefused(Map.of("healthCheck", Map.of("enable", true, "command", "telnet")), "spec.healthCheck.command");
    }

    private static void assertRefused(Map<String, Object> spec, String start) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HostTaskCompiler.check(new HostTasks.HostTask("web", "app-*", spec)));
        assertTrue(e.getMessage().startsWith(start), e.getMessage());
    }
}
