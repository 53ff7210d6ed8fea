package dev.podnet.policy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The tasks in force on this node, from every MonitorPolicy seen: each policy compiled, the invalid ones
 * refused with their reason, and of the valid ones at most {@code maxTasks}, the oldest first (by
 * creation time, then name, so every node picks the same ones).
 *
 * @param inForce  the tasks that apply, oldest first
 * @param refused  the policies that do not, by task name, with why
 */
public record TaskSet(List<Task> inForce, Map<String, String> refused) {
    public static final int DEFAULT_MAX_TASKS = 10;

    public TaskSet {
        inForce = List.copyOf(inForce);
        refused = Map.copyOf(refused);
    }

    public static TaskSet of(List<MonitorPolicy> policies, int maxTasks) {
        List<Task> valid = new ArrayList<>();
        Map<String, String> refused = new LinkedHashMap<>();
        for (MonitorPolicy policy : policies) {
            try {
                valid.add(PolicyCompiler.compile(policy));
            } catch (PolicyException e) {
                refused.put(policy.getMetadata().getNamespace() + "/" + policy.getMetadata().getName(), e.getMessage());
            }
        }
        valid.sort(Comparator.comparing(Task::created).thenComparing(Task::name));
        List<Task> inForce = valid.subList(0, Math.min(maxTasks, valid.size()));
        for (Task over : valid.subList(inForce.size(), valid.size())) {
            refused.put(over.name(), "MonitorPolicy " + over.name() + ": over maxTasks (" + maxTasks
                    + "): the " + maxTasks + " oldest policies are in force");
        }
        return new TaskSet(inForce, refused);
    }

    /**
     * Whether a task may watch a pod of {@code podNamespace}: a policy watches pods of its own namespace
     * only, unless it lives in the agent's own namespace, whose policies watch the whole node.
     */
    public static boolean inScope(Task task, String podNamespace, String agentNamespace) {
        return task.namespace().equals(podNamespace) || task.namespace().equals(agentNamespace);
    }
}
