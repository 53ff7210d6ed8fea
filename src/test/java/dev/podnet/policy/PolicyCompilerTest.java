package dev.podnet.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.config.PodnetConfig.PodLabel;
import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** dolphin's own example policies work with podnet's apiVersion; malformed ones are refused by field and value. */
class PolicyCompilerTest {

    @Test
    void dolphinsPodExampleAsksForEveryItemPerPod() throws Exception {
        Task task = PolicyCompiler.compile(Policies.resource("dolphin-pod.yaml"));
        assertEquals("kube-system/example-task", task.name());
        assertEquals(List.of(new PodLabel("test", "test"), new PodLabel("app", "app")), task.podLabels());
        assertEquals(EnumSet.complementOf(EnumSet.of(Measure.TCP_RTT)), EnumSet.copyOf(task.measures().keySet()));
        assertTrue(task.measures().values().stream().allMatch(a -> a == Measure.Aggregation.POD));
        assertFalse(task.wantsFlows());
        assertEquals("nginx", task.selector().getMatchLabels().get("app"));
        assertNull(task.healthCheck());
        assertEquals(Task.FlowKey.SERVICE, task.flowKey());
    }

    @Test
    void dolphinsFlowExampleAsksForFlowsWithRtt() throws Exception {
        Task task = PolicyCompiler.compile(Policies.resource("dolphin-flow.yaml"));
        assertEquals(Measure.Aggregation.FLOW, task.measures().get(Measure.TCP_RTT));
        assertEquals(9, task.measures().size());
        assertTrue(task.wantsFlows());
    }

    @Test
    void dolphinsHealthCheckExamples() throws Exception {
        Task.HealthCheck ping = PolicyCompiler.compile(Policies.resource("dolphin-health-ping.yaml")).healthCheck();
        assertEquals(new Task.HealthCheck(Task.Command.PING, Set.of(Task.IpFamily.IPV4), 3, Duration.ofSeconds(5), 0, "/"), ping);
        Task.HealthCheck curl = PolicyCompiler.compile(Policies.resource("dolphin-health-curl.yaml")).healthCheck();
        assertEquals(new Task.HealthCheck(Task.Command.CURL, Set.of(Task.IpFamily.IPV4), 3, Duration.ofSeconds(5), 80,
                "/healthz"), curl, "dolphin writes the path without its leading slash");
    }

    @Test
    void dolphinsIpv4Example() throws Exception {
        Task task = PolicyCompiler.compile(Policies.resource("dolphin-ip4.yaml"));
        assertTrue(task.ip4Tx() && task.ip4Rx() && task.ip4TxInternet());
        assertTrue(task.measures().isEmpty());
    }

    @Test
    void anEmptySpecIsAValidTaskThatAsksForNothing() throws Exception {
        Task task = PolicyCompiler.compile(Policies.of("team-a", "empty", "2026-01-01T00:00:00Z", "{}"));
        assertEquals("team-a/empty", task.name());
        assertTrue(task.measures().isEmpty() && !task.ip4Tx() && task.healthCheck() == null);
    }

    @Test
    void malformedPoliciesAreRefusedWithTheFieldAndValueNamed() {
        assertRefused("monitor: {tcp: {tcpSend: {aggregateType: node}}}",
                "spec.monitor.tcp.tcpSend.aggregateType: \"node\" is not pod or flow");
        assertRefused("monitor: {tcp: {tcpRtt: {aggregateType: pod}}}",
                "spec.monitor.tcp.tcpRtt.aggregateType: \"pod\" is not allowed here, only flow");
        assertRefused("monitor: {tcp: {tcpNewConnection: {aggregateType: flow}}}",
                "spec.monitor.tcp.tcpNewConnection.aggregateType: \"flow\" is not allowed here, only pod");
        assertRefused("healthCheck: {enable: true, command: wget}",
                "spec.healthCheck.command: \"wget\" is not ping, arping or curl");
        assertRefused("healthCheck: {enable: true, command: curl}",
                "spec.healthCheck.port: curl needs a port from 1 to 65535, got null");
        assertRefused("healthCheck: {enable: true, command: arping, ipFamilies: [IPv6]}",
                "spec.healthCheck.ipFamilies: arping asks over ARP, which is IPv4 only");
        assertRefused("healthCheck: {enable: true, ipFamilies: [IPv5]}",
                "spec.healthCheck.ipFamilies[0]: \"IPv5\" is not IPv4 or IPv6");
        assertRefused("healthCheck: {enable: true, periodSeconds: 0}",
                "spec.healthCheck.periodSeconds: 0 is not from 1 to 3600");
        assertRefused("podLabel: [a, b, c, d, e, f, g, h, i, j, k]", "spec.podLabel: 11 labels given, at most 10 are allowed");
        assertRefused("podLabel: [app, pod]", "spec.podLabel[1]: \"pod\" becomes label \"pod\", which podnet already uses");
        assertRefused("flowKey: ports", "spec.flowKey: \"ports\" is not service or 5tuple");
        assertRefused("selector: {matchExpressions: [{key: app, operator: Like, values: [x]}]}",
                "spec.selector.matchExpressions[0].operator: \"Like\" is not In, NotIn, Exists or DoesNotExist");
        assertRefused("selector: {matchExpressions: [{key: app, operator: In}]}",
                "spec.selector.matchExpressions[0].values: In needs values");
    }

    @Test
    void aDisabledHealthCheckIsNotCheckedFurther() throws Exception {
        assertNull(PolicyCompiler.compile(Policies.of("a", "b", "2026-01-01T00:00:00Z",
                "healthCheck: {enable: false, command: curl}")).healthCheck());
    }

    private static void assertRefused(String spec, String expected) {
        PolicyException e = assertThrows(PolicyException.class,
                () -> PolicyCompiler.compile(Policies.of("team-a", "bad", "2026-01-01T00:00:00Z", spec)));
        assertTrue(e.getMessage().startsWith("MonitorPolicy team-a/bad: " + expected), e.getMessage());
    }
}
