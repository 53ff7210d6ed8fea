package dev.podnet.deploy;

import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** charts/podnet rendered by real Helm (helm-java ships Helm's Go code as a native library). */
public final class HelmChart {
    public static final String RELEASE = "podnet";
    public static final String NAMESPACE = "podnet";

    private final Path chart;

    public HelmChart(Path chart) {
        this.chart = chart;
    }

    public static HelmChart podnet() {
        return new HelmChart(RepoPaths.chart());
    }

    public LintResult lint() {
        return new Helm(chart).lint().strict().call();
    }

    /** {@code helm template RELEASE CHART --namespace NS --set k=v...}; Helm's error becomes the exception. */
    public String template(String release, String namespace, Map<String, Object> values) {
        TemplateCommand command = new Helm(chart).template().withName(release).withNamespace(namespace);
        for (Map.Entry<String, Object> e : values.entrySet()) {
            command = command.set(e.getKey(), e.getValue());
        }
        return command.call();
    }

    public List<HasMetadata> render(String release, String namespace, Map<String, Object> values) {
        return KubeYaml.parse(template(release, namespace, values), "helm template " + chart + " " + values);
    }

    /** The chart's defaults, as `helm template podnet charts/podnet --namespace podnet` renders them. */
    public List<HasMetadata> renderDefaults() {
        return render(RELEASE, NAMESPACE, Map.of());
    }
}
