package dev.podnet.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Namespace;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** deploy/ (plain manifests): valid, complete for the agent, and the same objects as the chart's defaults. */
class DeployManifestsTest {
    /** Labels only Helm adds; the plain manifests leave them out. */
    private static final List<String> HELM_ONLY_LABELS = List.of("helm.sh/chart", "app.kubernetes.io/managed-by",
            "app.kubernetes.io/version");
    private static final YAMLMapper YAML = new YAMLMapper();

    private static List<HasMetadata> load(Path dir) throws IOException {
        List<HasMetadata> objects = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
                objects.addAll(KubeYaml.parseFile(file));
            }
        }
        return objects;
    }

    @Test
    void plainManifestsGiveTheAgentEverythingItsCodeNeeds() throws Exception {
        List<HasMetadata> objects = load(RepoPaths.deploy());
        AgentRequirements.check(objects, AgentRequirements.Expect.DEFAULTS);
        for (HasMetadata o : objects) {
            assertEquals(List.of(), KubeYaml.unknownFields(o), "fields the Kubernetes API does not know");
        }
    }

    @Test
    void namespaceIsCreatedFirstAndAllowsThePodSecurityTheAgentNeeds() throws Exception {
        try (Stream<Path> files = Files.list(RepoPaths.deploy())) {
            Path first = files.filter(f -> f.toString().endsWith(".yaml")).sorted().findFirst().orElseThrow();
            assertTrue(KubeYaml.parseFile(first).getFirst() instanceof Namespace,
                    "kubectl apply -f deploy/ goes in file order; the Namespace must come first, not " + first);
        }
        List<HasMetadata> objects = load(RepoPaths.deploy());
        Namespace ns = KubeYaml.all(objects, Namespace.class).getFirst();
        assertEquals("privileged", ns.getMetadata().getLabels().get("pod-security.kubernetes.io/enforce"),
                "hostPID, hostPath and added capabilities are refused under baseline and restricted");
        for (HasMetadata o : objects) {
            if (!(o instanceof Namespace) && !o.getKind().startsWith("Cluster") && !o.getKind().equals("CustomResourceDefinition")) {
                assertEquals(ns.getMetadata().getName(), o.getMetadata().getNamespace(), KubeYaml.describe(o));
            }
        }
    }

    @Test
    void plainManifestsEqualTheChartDefaults() throws Exception {
        List<HasMetadata> chart = new ArrayList<>(HelmChart.podnet().renderDefaults());
        chart.removeIf(o -> o.getMetadata().getLabels() != null && o.getMetadata().getLabels().containsKey("grafana_dashboard"));
        chart.addAll(load(RepoPaths.chart().resolve("crds"))); // Helm installs these as they are, not templated
        List<HasMetadata> plain = new ArrayList<>(load(RepoPaths.deploy()));
        plain.removeIf(o -> o instanceof Namespace);
        assertSameObjects(chart, plain, "deploy/");
    }

    @Test
    void prometheusOperatorManifestsEqualTheChartsMonitors() throws Exception {
        List<HasMetadata> chart = new ArrayList<>(HelmChart.podnet().render(HelmChart.RELEASE, HelmChart.NAMESPACE,
                Map.of("serviceMonitor.enabled", true, "podMonitor.enabled", true)));
        chart.removeIf(o -> !o.getKind().endsWith("Monitor"));
        assertEquals(2, chart.size(), "the chart renders a ServiceMonitor and a PodMonitor");
        assertSameObjects(chart, load(RepoPaths.deploy().resolve("prometheus-operator")), "deploy/prometheus-operator/");
    }

    private static void assertSameObjects(List<HasMetadata> chart, List<HasMetadata> plain, String where) throws IOException {
        Map<String, JsonNode> fromChart = normalized(chart);
        Map<String, JsonNode> fromPlain = normalized(plain);
        assertEquals(fromChart.keySet(), fromPlain.keySet(), "the same objects in the chart's defaults and " + where);
        List<String> differences = new ArrayList<>();
        for (String key : fromChart.keySet()) {
            JsonTrees.diff(fromChart.get(key), fromPlain.get(key)).forEach(d -> differences.add(key + d + "  (chart <> " + where + ")"));
        }
        assertEquals(List.of(), differences, "chart defaults and " + where + " differ");
    }

    /** By kind/namespace/name, without Helm's bookkeeping labels, with the agent's config compared as YAML data. */
    private static Map<String, JsonNode> normalized(List<HasMetadata> objects) throws IOException {
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (HasMetadata o : objects) {
            ObjectNode tree = (ObjectNode) KubeYaml.tree(o);
            JsonNode labels = tree.path("metadata").path("labels");
            if (labels instanceof ObjectNode l) {
                HELM_ONLY_LABELS.forEach(l::remove);
            }
            if (o instanceof ConfigMap cm && cm.getData() != null && cm.getData().containsKey("podnet.yaml")) {
                ((ObjectNode) tree.get("data")).set("podnet.yaml", YAML.readTree(cm.getData().get("podnet.yaml")));
            }
            if (out.put(KubeYaml.describe(o), tree) != null) {
                throw new AssertionError("two objects named " + KubeYaml.describe(o));
            }
        }
        return out;
    }

    /** The deployment's rule: every added capability is justified in a comment right above it, in both places. */
    @Test
    void everyCapabilityIsJustifiedInAComment() throws IOException {
        for (Path file : List.of(RepoPaths.deploy().resolve("30-daemonset.yaml"),
                RepoPaths.chart().resolve("templates/daemonset.yaml"))) {
            List<String> lines = Files.readAllLines(file);
            for (String cap : AgentRequirements.CAPABILITIES) {
                int at = -1;
                for (int i = 0; i < lines.size(); i++) {
                    if (lines.get(i).strip().equals("- " + cap)) {
                        at = i;
                    }
                }
                assertTrue(at > 0, file + " lists capability " + cap + " on a line of its own");
                assertTrue(lines.get(at - 1).strip().startsWith("#"), file + ": no comment justifies " + cap);
            }
        }
    }

    /** The image the DaemonSet runs: the jar where the command expects it, the port exposed. */
    @Test
    void dockerfileBuildsWhatTheDaemonSetRuns() throws IOException {
        String dockerfile = Files.readString(RepoPaths.root().resolve("Dockerfile"));
        String jar = AgentRequirements.COMMAND.get(AgentRequirements.COMMAND.indexOf("-jar") + 1);
        Matcher copy = Pattern.compile("(?m)^COPY --from=build \\S+podnet\\.jar (\\S+)$").matcher(dockerfile);
        assertTrue(copy.find(), "the run stage copies the built jar");
        assertEquals(jar, copy.group(1));
        assertTrue(dockerfile.contains("EXPOSE " + AgentRequirements.Expect.DEFAULTS.port()));
        String argfile = AgentRequirements.COMMAND.get(1).substring(1);
        assertTrue(dockerfile.contains("COPY bin/jvm.options " + argfile + "\n"),
                "the image holds the JVM options bin/podnet uses, where the command reads them");
        assertTrue(Pattern.compile("(?m)^FROM eclipse-temurin:25-jre$").matcher(dockerfile).find(), "Temurin 25 JRE base");
        assertTrue(Pattern.compile("(?m)apt-get install .*\\blibbpf1\\b").matcher(dockerfile).find(),
                "libbpf.so.1 in the run image: podnet loads it at run time");
        Matcher entry = Pattern.compile("(?m)^ENTRYPOINT \\[(.*)]$").matcher(dockerfile);
        assertTrue(entry.find());
        List<String> entrypoint = Stream.of(entry.group(1).split(",")).map(s -> s.strip().replace("\"", "")).toList();
        assertEquals(AgentRequirements.COMMAND.subList(0, entrypoint.size()), entrypoint,
                "running the image without a command runs what the DaemonSet runs");
    }
}
