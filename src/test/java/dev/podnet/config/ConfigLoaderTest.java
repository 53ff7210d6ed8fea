package dev.podnet.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class ConfigLoaderTest {
    private final ConfigLoader loader = new ConfigLoader(List.of("netdev", "snmp", "tcpretrans"), List.of("netdev", "snmp"));

    @Test
    void emptyConfigGivesTheDefaults() throws Exception {
        PodnetConfig c = loader.parse("");
        assertEquals(List.of("netdev", "snmp"), c.probes());
        assertEquals(PodnetConfig.DEFAULT_PORT, c.listen().port());
        assertEquals("0.0.0.0", c.listen().host());
        assertEquals(Duration.ofSeconds(2), c.minInterval());
        assertEquals(Duration.ofSeconds(5), c.probeDeadline());
        assertEquals(PodnetConfig.KubernetesMode.AUTO, c.kubernetes());
    }

    @Test
    void readsEveryField() throws Exception {
        PodnetConfig c = loader.parse("""
                listen: 127.0.0.1:9999
                minInterval: 500ms
                probeDeadline: 1m
                probes: [tcpretrans]
                probeSettings:
                  tcpretrans: {tracepoint: tcp/foo}
                procfs: /host/proc
                netnsDir: /host/run/netns
                kubernetes: false
                podLabels: [app, app.kubernetes.io/name]
                """);
        assertEquals("127.0.0.1:9999", c.listen().toString());
        assertEquals(Duration.ofMillis(500), c.minInterval());
        assertEquals(Duration.ofMinutes(1), c.probeDeadline());
        assertEquals(List.of("tcpretrans"), c.probes());
        assertEquals("tcp/foo", c.probeSettings().get("tcpretrans").get("tracepoint"));
        assertEquals("/host/proc", c.procfs().toString());
        assertEquals(PodnetConfig.KubernetesMode.OFF, c.kubernetes());
        assertEquals("app_kubernetes_io_name", c.podLabels().get(1).labelName());
        assertEquals("app.kubernetes.io/name", c.podLabels().get(1).key());
    }

    @Test
    void errorsNameTheFieldAndTheBadValue() {
        assertError("probes: [netdev, nope]", "probes[1]", "\"nope\"", "known probes: netdev, snmp, tcpretrans");
        assertError("probes: [netdev, netdev]", "probes[1]", "listed twice");
        assertError("probes: netdev", "probes", "list");
        assertError("minInterval: fast", "minInterval", "\"fast\"", "not a duration");
        assertError("probeDeadline: 0s", "probeDeadline", "more than 0");
        assertError("listen: localhost", "listen", "\"localhost\"");
        assertError("listen: ':99999'", "listen", "99999");
        assertError("lisen: :9000", "unknown field \"lisen\"");
        assertError("kubernetes: maybe", "kubernetes", "\"maybe\"");
        assertError("podLabels: [pod]", "podLabels[0]", "\"pod\"", "already uses");
        assertError("podLabels: [src-ip, srcip]", "podLabels[1]", "\"srcip\"");
        assertError("podLabels: [a, a]", "podLabels[1]", "like an earlier entry");
        assertError("podLabels: [a,b,c,d,e,f,g,h,i,j,k]", "podLabels", "11 labels", "at most 10");
        assertError("probeSettings: {nope: {}}", "probeSettings.nope", "unknown probe");
        assertError("probes: [netdev\n", "not valid YAML", "line");
        assertError("- a\n- b\n", "mapping");
    }

    @Test
    void labelNamesAreSanitizedToPrometheusRules() {
        assertEquals("app_kubernetes_io_name", PodLabels.sanitize("app.kubernetes.io/name"));
        assertEquals("_1abc", PodLabels.sanitize("1abc"));
        assertEquals("pod__x", PodLabels.sanitize("__x"));
        assertEquals("version", PodLabels.sanitize("version"));
    }

    private void assertError(String yaml, String... fragments) {
        ConfigException e = assertThrows(ConfigException.class, () -> loader.parse(yaml), yaml);
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment), "\"" + e.getMessage() + "\" should mention " + fragment);
        }
    }

    @Test
    void configTasksAreCheckedAndBadOnesNamed() throws Exception {
        ConfigLoader checking = new ConfigLoader(List.of("netdev"), List.of("netdev"), (probe, settings) -> { }, task -> {
            if (task.spec().containsKey("bad")) {
                throw new IllegalArgumentException("spec.bad: refused");
            }
        });
        var config = checking.parse("tasks: [{name: web, namespaces: 'app-*', spec: {flowKey: 5tuple}}]");
        assertEquals("web", config.tasks().getFirst().name());
        assertEquals("5tuple", config.tasks().getFirst().spec().get("flowKey"));
        assertTrue("app-7".matches(HostTasks.globToRegex("app-*")) && !"xapp-7".matches(HostTasks.globToRegex("app-*")));
        for (String[] bad : new String[][] {
                {"tasks: {name: web}", "tasks: expected a list of tasks"},
                {"tasks: [{name: Web, namespaces: a}]", "tasks[0].name: \"Web\" must be"},
                {"tasks: [{name: web}]", "tasks[0].namespaces: expected a name pattern"},
                {"tasks: [{name: web, namespaces: a}, {name: web, namespaces: b}]", "tasks[1].name: \"web\" is the name of an earlier task"},
                {"tasks: [{name: web, namespaces: a, selector: {}}]", "tasks[0]: unknown field \"selector\""},
                {"tasks: [{name: web, namespaces: a, spec: {bad: 1}}]", "tasks[0] (web): spec.bad: refused"}}) {
            ConfigException e = assertThrows(ConfigException.class, () -> checking.parse(bad[0]));
            assertTrue(e.getMessage().startsWith(bad[1]), bad[0] + " -> " + e.getMessage());
        }
    }
}
