package dev.podnet.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.marcnuri.helm.LintResult;
import dev.podnet.config.PodnetConfig;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** charts/podnet rendered and linted by real Helm, read into fabric8's typed model. */
class HelmChartTest {
    private final HelmChart chart = HelmChart.podnet();

    @Test
    void lintPassesInStrictMode() {
        LintResult result = chart.lint();
        assertFalse(result.isFailed(), "helm lint --strict: " + result.getMessages());
        assertTrue(result.getMessages().stream().noneMatch(m -> m.contains("[ERROR]") || m.contains("[WARNING]")),
                "helm lint --strict: " + result.getMessages());
    }

    @Test
    void defaultsGiveTheAgentEverythingItsCodeNeeds() throws Exception {
        List<HasMetadata> objects = chart.renderDefaults();
        PodnetConfig config = AgentRequirements.check(objects, AgentRequirements.Expect.DEFAULTS);
        assertEquals(PodnetConfig.KubernetesMode.AUTO, config.kubernetes());
        assertTrue(KubeYaml.ofKind(objects, "ServiceMonitor").isEmpty(), "no ServiceMonitor unless asked for");
        assertTrue(KubeYaml.ofKind(objects, "PodMonitor").isEmpty(), "no PodMonitor unless asked for");
        for (HasMetadata o : objects) {
            assertEquals(List.of(), KubeYaml.unknownFields(o), "fields the Kubernetes API does not know");
            if (!o.getKind().startsWith("Cluster")) {
                assertEquals(HelmChart.NAMESPACE, o.getMetadata().getNamespace(), KubeYaml.describe(o) + " in the release namespace");
            }
        }
    }

    @Test
    void everyPortReferenceFollowsTheConfiguredPortAndOptionsApply() throws Exception {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("port", 9999);
        values.put("mountBtf", false);
        values.put("appArmorProfile.type", "Unconfined");
        values.put("config.podLabels[0]", "app.kubernetes.io/name");
        values.put("config.probes[0]", "netdev");
        values.put("config.minInterval", "15s");
        values.put("serviceMonitor.enabled", true);
        values.put("podMonitor.enabled", true);
        values.put("serviceMonitor.labels.release", "kube-prometheus-stack");
        List<HasMetadata> objects = chart.render("obs", "monitoring", values);

        PodnetConfig config = AgentRequirements.check(objects, new AgentRequirements.Expect(9999, false));
        assertEquals(List.of("netdev"), config.probes());
        assertEquals(List.of(new PodnetConfig.PodLabel("app.kubernetes.io/name", "app_kubernetes_io_name")), config.podLabels());
        assertEquals(java.time.Duration.ofSeconds(15), config.minInterval());

        DaemonSet ds = KubeYaml.find(objects, DaemonSet.class, "obs-podnet");
        assertEquals("monitoring", ds.getMetadata().getNamespace());
        assertEquals("Unconfined", ds.getSpec().getTemplate().getSpec().getContainers().getFirst().getSecurityContext()
                .getAppArmorProfile().getType());

        GenericKubernetesResource sm = KubeYaml.ofKind(objects, "ServiceMonitor").getFirst();
        assertEquals("kube-prometheus-stack", sm.getMetadata().getLabels().get("release"));
        checkScrapeEndpoint(sm, "endpoints");
        checkScrapeEndpoint(KubeYaml.ofKind(objects, "PodMonitor").getFirst(), "podMetricsEndpoints");
    }

    /** The operator's target labels namespace/pod name the agent; podnet's own must win, and node must be added. */
    @SuppressWarnings("unchecked")
    private static void checkScrapeEndpoint(GenericKubernetesResource monitor, String field) {
        Map<String, Object> spec = (Map<String, Object>) monitor.getAdditionalProperties().get("spec");
        Map<String, Object> endpoint = ((List<Map<String, Object>>) spec.get(field)).getFirst();
        assertEquals("metrics", endpoint.get("port"));
        assertEquals(Boolean.TRUE, endpoint.get("honorLabels"), monitor.getKind() + " honorLabels");
        List<Map<String, Object>> relabelings = (List<Map<String, Object>>) endpoint.get("relabelings");
        assertTrue(relabelings.stream().anyMatch(r -> "node".equals(r.get("targetLabel"))
                && List.of("__meta_kubernetes_pod_node_name").equals(r.get("sourceLabels"))), "node label: " + relabelings);
        Map<String, Object> drop = relabelings.stream().filter(r -> "labeldrop".equals(r.get("action"))).findFirst()
                .orElseThrow(() -> new AssertionError("no labeldrop: " + relabelings));
        String regex = (String) drop.get("regex");
        for (String label : List.of("namespace", "pod")) {
            assertTrue(label.matches(regex), monitor.getKind() + " drops the target label " + label);
        }
        for (String label : List.of("node", "instance", "job", "netns")) {
            assertFalse(label.matches(regex), monitor.getKind() + " keeps " + label);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void aWebConfigSecretIsMountedAndPassedToTheAgentAndTheMonitorsScrapeThroughIt() throws Exception {
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("webConfig.enabled", true);
        values.put("webConfig.secretName", "podnet-web");
        values.put("webConfig.tlsSecretName", "podnet-tls");
        values.put("serviceMonitor.enabled", true);
        values.put("serviceMonitor.tlsConfig.ca.secret.name", "podnet-tls");
        values.put("serviceMonitor.tlsConfig.ca.secret.key", "ca.crt");
        values.put("serviceMonitor.tlsConfig.serverName", "podnet");
        values.put("serviceMonitor.basicAuth.username.name", "podnet-scrape");
        values.put("serviceMonitor.basicAuth.username.key", "username");
        values.put("serviceMonitor.basicAuth.password.name", "podnet-scrape");
        values.put("serviceMonitor.basicAuth.password.key", "password");
        values.put("podMonitor.enabled", true);
        values.put("podMonitor.scheme", "http");
        List<HasMetadata> objects = chart.render("podnet", "podnet", values);
        for (HasMetadata o : objects) {
            assertEquals(List.of(), KubeYaml.unknownFields(o), "fields the Kubernetes API does not know");
        }

        DaemonSet ds = KubeYaml.find(objects, DaemonSet.class, "podnet");
        var pod = ds.getSpec().getTemplate().getSpec();
        var agent = pod.getContainers().getFirst();
        List<String> command = agent.getCommand();
        assertEquals(List.of("--web-config", "/etc/podnet-web/web-config.yml"), command.subList(command.size() - 2, command.size()));
        assertEquals(AgentRequirements.COMMAND, command.subList(0, command.size() - 2), "the rest of the command is unchanged");
        var mount = agent.getVolumeMounts().stream().filter(m -> m.getMountPath().equals("/etc/podnet-web")).findFirst()
                .orElseThrow(() -> new AssertionError("nothing mounted at /etc/podnet-web: " + agent.getVolumeMounts()));
        assertEquals(Boolean.TRUE, mount.getReadOnly());
        var volume = AgentRequirements.volume(pod, mount.getName());
        assertEquals(List.of("podnet-web", "podnet-tls"),
                volume.getProjected().getSources().stream().map(source -> source.getSecret().getName()).toList(),
                "the web config's Secret and the certificate's, projected into one directory");
        for (var probe : List.of(agent.getLivenessProbe(), agent.getReadinessProbe())) {
            assertEquals("metrics", probe.getTcpSocket().getPort().getStrVal(),
                    "the kubelet cannot authenticate to /-/healthy behind the web config; it checks the port");
            assertEquals(null, probe.getHttpGet());
        }
        assertEquals("https", ds.getSpec().getTemplate().getMetadata().getAnnotations().get("prometheus.io/scheme"));

        Map<String, Object> sm = ((List<Map<String, Object>>) ((Map<String, Object>) KubeYaml.ofKind(objects, "ServiceMonitor")
                .getFirst().getAdditionalProperties().get("spec")).get("endpoints")).getFirst();
        assertEquals("https", sm.get("scheme"), "https by default when the web config turns on TLS");
        assertEquals(Map.of("ca", Map.of("secret", Map.of("name", "podnet-tls", "key", "ca.crt")), "serverName", "podnet"), sm.get("tlsConfig"));
        assertEquals(Map.of("username", Map.of("name", "podnet-scrape", "key", "username"),
                "password", Map.of("name", "podnet-scrape", "key", "password")), sm.get("basicAuth"));
        Map<String, Object> pm = ((List<Map<String, Object>>) ((Map<String, Object>) KubeYaml.ofKind(objects, "PodMonitor")
                .getFirst().getAdditionalProperties().get("spec")).get("podMetricsEndpoints")).getFirst();
        assertEquals("http", pm.get("scheme"), "an explicit scheme wins");
        assertTrue(!pm.containsKey("tlsConfig") && !pm.containsKey("basicAuth"), pm.toString());

        Exception noSecret = assertThrows(Exception.class, () -> chart.template("podnet", "podnet", Map.of("webConfig.enabled", true)));
        assertTrue(noSecret.getMessage().contains("webConfig.secretName"), noSecret.getMessage());
        Map<String, Object> plain = Map.of("webConfig.enabled", true, "webConfig.secretName", "s", "webConfig.tls", false);
        DaemonSet basicOnly = KubeYaml.find(chart.render("podnet", "podnet", plain), DaemonSet.class, "podnet");
        assertTrue(!basicOnly.getSpec().getTemplate().getMetadata().getAnnotations().containsKey("prometheus.io/scheme"),
                "basic auth over plain HTTP keeps the default scheme");
    }

    @Test
    void chartSetFieldsOfTheConfigCannotBeOverridden() {
        for (String field : List.of("listen", "procfs", "netnsDir")) {
            Exception e = assertThrows(Exception.class,
                    () -> chart.template("podnet", "podnet", Map.of("config." + field, "x")));
            assertTrue(e.getMessage().contains("config." + field + " is set by the chart"), e.getMessage());
        }
    }

    @Test
    void dashboardsShipAsSidecarConfigMapsWithTheRepositoryFiles() throws Exception {
        List<HasMetadata> objects = chart.renderDefaults();
        List<ConfigMap> dashboards = KubeYaml.all(objects, ConfigMap.class).stream()
                .filter(cm -> "1".equals(cm.getMetadata().getLabels().get("grafana_dashboard"))).toList();
        List<Path> files;
        try (Stream<Path> list = Files.list(RepoPaths.dashboards())) {
            files = list.filter(f -> f.toString().endsWith(".json")).sorted().toList();
        }
        assertFalse(files.isEmpty(), "dashboards/*.json");
        assertEquals(files.size(), dashboards.size(), "one ConfigMap per dashboard");
        for (Path file : files) {
            String name = file.getFileName().toString();
            ConfigMap cm = dashboards.stream().filter(c -> c.getData().containsKey(name)).findFirst()
                    .orElseThrow(() -> new AssertionError("no ConfigMap carries " + name));
            assertEquals(Files.readString(file).strip(), cm.getData().get(name).strip(), name + " shipped unchanged");
        }

        List<HasMetadata> off = chart.render("podnet", "podnet", Map.of("dashboards.enabled", false));
        assertTrue(KubeYaml.all(off, ConfigMap.class).stream().noneMatch(cm -> cm.getMetadata().getLabels().containsKey("grafana_dashboard")));
        List<HasMetadata> elsewhere = chart.render("podnet", "podnet", Map.of("dashboards.namespace", "grafana"));
        assertTrue(KubeYaml.all(elsewhere, ConfigMap.class).stream().filter(cm -> cm.getMetadata().getLabels().containsKey("grafana_dashboard"))
                .allMatch(cm -> cm.getMetadata().getNamespace().equals("grafana")));
    }
}
