package dev.podnet.policy;

import dev.podnet.health.HealthChecker;
import dev.podnet.probe.FlowWatch;
import dev.podnet.probe.MetricSink;
import dev.podnet.probe.Sample;
import java.util.List;

/**
 * The tasks of one collection applied to the pods of that collection: what they ask of the traffic probe
 * (flows), of the health checker (targets, handed over when the run starts), and the task series made
 * from the collection's samples. Frozen, so one collection never sees two sets of tasks or pods.
 */
public final class TaskRun {
    public static final TaskRun NONE = new TaskRun(List.of(), List.of(), "", null);

    private final List<Task> tasks;
    private final List<TaskMetrics.NodePod> pods;
    private final String agentNamespace;
    private final HealthChecker checker;

    private TaskRun(List<Task> tasks, List<TaskMetrics.NodePod> pods, String agentNamespace, HealthChecker checker) {
        this.tasks = List.copyOf(tasks);
        this.pods = List.copyOf(pods);
        this.agentNamespace = agentNamespace;
        this.checker = checker;
    }

    /**
     * Applies the tasks to the pods; the checker (null: no health checks) checks from now on exactly the
     * pods the tasks' health checks select.
     */
    public static TaskRun start(List<Task> tasks, List<TaskMetrics.NodePod> pods, String agentNamespace,
                                HealthChecker checker) {
        if (checker != null) {
            checker.retain(HealthTargets.of(tasks, pods, agentNamespace));
        }
        return new TaskRun(tasks, pods, agentNamespace, checker);
    }

    public List<FlowWatch> flowWatches() {
        return tasks.isEmpty() ? List.of() : FlowWatches.of(tasks, pods, agentNamespace);
    }

    /** The task series of the selected pods, from the collection's samples, and the health checks' series. */
    public void derive(List<Sample> collected, MetricSink out) {
        TaskMetrics.write(tasks, pods, agentNamespace, collected, out);
        if (checker != null) {
            checker.write(out);
        }
    }
}
