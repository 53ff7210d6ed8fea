package dev.podnet.policy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import dev.podnet.deploy.RepoPaths;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The MonitorPolicy CRD the chart installs: its openAPIV3Schema accepts dolphin's example policies and
 * refuses malformed ones, as the API server would (its structural schema checks; the CEL rules are the
 * API server's own and are mirrored by {@link PolicyCompiler}); the plain manifest is the same object.
 */
class MonitorPolicyCrdTest {
    private static final ObjectMapper YAML = new YAMLMapper();
    private static Path chartCrd;
    private static JsonNode crd;
    private static JsonSchema schema;

    @BeforeAll
    static void load() throws Exception {
        chartCrd = RepoPaths.chart().resolve("crds/monitorpolicies.podnet.dev.yaml");
        crd = YAML.readTree(Files.readString(chartCrd));
        JsonNode openApi = crd.path("spec").path("versions").get(0).path("schema").path("openAPIV3Schema");
        schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(openApi);
    }

    @Test
    void itIsTheMonitorPolicyTheAgentWatches() {
        assertEquals("monitorpolicies.podnet.dev", crd.path("metadata").path("name").asText());
        assertEquals("podnet.dev", crd.path("spec").path("group").asText());
        assertEquals("Namespaced", crd.path("spec").path("scope").asText());
        assertEquals("MonitorPolicy", crd.path("spec").path("names").path("kind").asText());
        assertEquals("v1alpha1", crd.path("spec").path("versions").get(0).path("name").asText());
        assertEquals(new MonitorPolicy().getPlural(), crd.path("spec").path("names").path("plural").asText());
    }

    @Test
    void dolphinsExamplesAreValid() throws Exception {
        for (String example : new String[] {"dolphin-pod.yaml", "dolphin-flow.yaml", "dolphin-health-ping.yaml",
                "dolphin-health-curl.yaml", "dolphin-ip4.yaml"}) {
            Set<ValidationMessage> errors = schema.validate(YAML.readTree(Policies.text(example)));
            assertTrue(errors.isEmpty(), example + ": " + errors);
        }
    }

    @Test
    void malformedPoliciesAreRefused() throws Exception {
        assertRefused("monitor: {tcp: {tcpSend: {aggregateType: node}}}", "aggregateType");
        assertRefused("monitor: {tcp: {tcpRtt: {aggregateType: pod}}}", "aggregateType");
        assertRefused("monitor: {tcp: {tcpConnectionFailure: {aggregateType: flow}}}", "aggregateType");
        assertRefused("healthCheck: {enable: true, command: wget}", "command");
        assertRefused("healthCheck: {enable: true, periodSeconds: 0}", "periodSeconds");
        assertRefused("healthCheck: {enable: true, port: 70000}", "port");
        assertRefused("podLabel: [a, b, c, d, e, f, g, h, i, j, k]", "podLabel");
        assertRefused("podLabel: ['-bad']", "podLabel");
        assertRefused("flowKey: ports", "flowKey");
        assertRefused("selector: {matchExpressions: [{key: app, operator: Like}]}", "operator");
        assertRefused("ip4Tx: {enable: yes-please}", "enable");
    }

    @Test
    void thePlainManifestIsTheChartsCrd() throws Exception {
        assertEquals(crd, YAML.readTree(Files.readString(RepoPaths.deploy().resolve("05-crd-monitorpolicy.yaml"))));
    }

    private static void assertRefused(String spec, String field) throws Exception {
        JsonNode object = YAML.readTree("""
                apiVersion: podnet.dev/v1alpha1
                kind: MonitorPolicy
                metadata: {name: bad, namespace: team-a}
                spec:
                %s
                """.formatted(spec.indent(2)));
        Set<ValidationMessage> errors = schema.validate(object);
        assertTrue(errors.stream().anyMatch(m -> m.getMessage().contains(field) || m.getInstanceLocation().toString().contains(field)),
                spec + " should be refused at " + field + ", got " + errors);
    }
}
