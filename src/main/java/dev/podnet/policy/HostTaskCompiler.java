package dev.podnet.policy;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.podnet.config.HostTasks;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import java.lang.reflect.RecordComponent;
import java.time.Instant;
import java.util.Arrays;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Tasks of the config file (hosts without Kubernetes): the same spec as a MonitorPolicy, compiled by the
 * same rules, watching the named network namespaces whose names match the task's pattern instead of
 * pods. A selector has nothing to select there and is refused. The task label is the task's name; the
 * series' {@code pod} label is the namespace's name.
 */
public final class HostTaskCompiler {
    private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
    private static final List<String> SPEC_FIELDS = Arrays.stream(MonitorPolicySpec.class.getRecordComponents())
            .map(RecordComponent::getName).sorted().toList();

    private HostTaskCompiler() {
    }

    /** Config-load check: throws IllegalArgumentException naming the bad field. */
    public static void check(HostTasks.HostTask task) {
        try {
            compile(task, Instant.EPOCH);
        } catch (PolicyException e) {
            throw new IllegalArgumentException(e.getMessage(), e);
        }
    }

    /** The config's tasks in order (the order breaks ties of maxTasks: the first ones are in force). */
    public static List<Task> compileAll(List<HostTasks.HostTask> tasks) throws PolicyException {
        List<Task> compiled = new ArrayList<>();
        for (int i = 0; i < tasks.size(); i++) {
            compiled.add(compile(tasks.get(i), Instant.EPOCH.plusSeconds(i)));
        }
        return compiled;
    }

    static Task compile(HostTasks.HostTask task, Instant order) throws PolicyException {
        for (String field : task.spec().keySet()) {
            if (!SPEC_FIELDS.contains(field)) {
                // a typo in a file is refused; a MonitorPolicy's unknown fields are the API server's to judge
                throw new PolicyException("spec: unknown field \"" + field + "\" (known: " + String.join(", ", SPEC_FIELDS) + ")");
            }
        }
        MonitorPolicySpec spec;
        try {
            spec = JSON.convertValue(task.spec(), MonitorPolicySpec.class);
        } catch (IllegalArgumentException e) {
            throw new PolicyException("spec: " + firstLine(e.getMessage()));
        }
        if (spec.selector() != null) {
            throw new PolicyException("spec.selector: a config task selects network namespaces by name (namespaces), not pods");
        }
        MonitorPolicy policy = new MonitorPolicy();
        policy.setMetadata(new ObjectMetaBuilder().withName(task.name()).withNamespace("host")
                .withCreationTimestamp(order.toString()).build());
        policy.setSpec(spec);
        Task compiled;
        try {
            compiled = PolicyCompiler.compile(policy);
        } catch (PolicyException e) {
            throw new PolicyException(e.getMessage().replace("MonitorPolicy host/" + task.name() + ": ", ""));
        }
        return compiled.forNamespaces(task.name(), Pattern.compile(HostTasks.globToRegex(task.namespaces())));
    }

    private static String firstLine(String message) {
        int end = message.indexOf('\n');
        return end < 0 ? message : message.substring(0, end);
    }
}
