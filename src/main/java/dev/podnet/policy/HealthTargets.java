package dev.podnet.policy;

import dev.podnet.health.CheckKind;
import dev.podnet.health.HealthTarget;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.ArrayList;
import java.util.List;

/**
 * What the tasks with a health check ask the checker to check: each selected pod's first address of each
 * family the check names, labelled as the task's pod series are plus {@code ipfamily}. A pod without an
 * address of a family is not checked over it.
 */
public final class HealthTargets {
    private HealthTargets() {
    }

    public static List<HealthTarget> of(List<Task> tasks, List<TaskMetrics.NodePod> pods, String agentNamespace) {
        List<HealthTarget> targets = new ArrayList<>();
        for (var selected : TaskMetrics.select(tasks, pods, agentNamespace).entrySet()) {
            Task task = selected.getKey();
            Task.HealthCheck check = task.healthCheck();
            if (check == null) {
                continue;
            }
            for (TaskMetrics.NodePod pod : selected.getValue()) {
                for (Task.IpFamily family : Task.IpFamily.values()) {
                    InetAddress address = check.families().contains(family) ? first(pod.ips(), family) : null;
                    if (address == null) {
                        continue;
                    }
                    String familyLabel = family == Task.IpFamily.IPV4 ? "ipv4" : "ipv6";
                    List<String> labels = new ArrayList<>(List.of(TaskMetrics.baseLabels(task, pod)));
                    labels.addAll(List.of("ipfamily", familyLabel));
                    targets.add(new HealthTarget(task.name() + "|" + pod.namespace() + "/" + pod.name() + "|" + familyLabel,
                            labels.toArray(String[]::new), address, kind(check.command()), check.failureThreshold(),
                            check.period(), check.port(), check.path(), pod.netns()));
                }
            }
        }
        return targets;
    }

    private static CheckKind kind(Task.Command command) {
        return switch (command) {
            case PING -> CheckKind.PING;
            case ARPING -> CheckKind.ARPING;
            case CURL -> CheckKind.CURL;
        };
    }

    private static InetAddress first(List<InetAddress> ips, Task.IpFamily family) {
        for (InetAddress ip : ips) {
            if (family == Task.IpFamily.IPV4 ? ip instanceof Inet4Address : ip instanceof Inet6Address) {
                return ip;
            }
        }
        return null;
    }
}
