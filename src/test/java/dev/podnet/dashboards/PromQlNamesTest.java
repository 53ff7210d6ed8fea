package dev.podnet.dashboards;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Set;
import org.junit.jupiter.api.Test;

class PromQlNamesTest {
    @Test
    void findsSelectedMetricsButNotFunctionsLabelsOrKeywords() {
        assertEquals(Set.of("podnet_a_total"), PromQlNames.of(
                "topk(10, sum by (namespace, pod) (rate(podnet_a_total{node=~\"$node\", device!=\"lo\"}[$__rate_interval])))"));
        assertEquals(Set.of("podnet_h_seconds_bucket"), PromQlNames.of(
                "histogram_quantile(0.99, sum by (le, type) (rate(podnet_h_seconds_bucket{phase=~\"x|y\"}[5m])))"));
        assertEquals(Set.of("a", "b"), PromQlNames.of("a / on (pod) group_left (node) b offset 5m"));
        assertEquals(Set.of("up"), PromQlNames.of("up == bool 1e-9 and inf"));
        assertEquals(Set.of(), PromQlNames.of("vector(1)"));
        assertEquals(Set.of("m"), PromQlNames.of("count(m{label=\"{not} a (name)\"})"));
    }
}
