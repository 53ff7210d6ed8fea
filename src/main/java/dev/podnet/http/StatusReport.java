package dev.podnet.http;

import dev.podnet.probe.ProbeStatus;
import java.util.List;
import java.util.Map;

/**
 * The body of {@code GET /status}.
 *
 * @param namespaces network namespaces found by the last collection (-1 before the first)
 * @param lastCollectionMs duration of the last collection (-1 before the first)
 * @param config where the config came from and how the last reload went
 * @param policies the MonitorPolicies in force and the refused ones with why; null without Kubernetes
 */
public record StatusReport(String version, double uptimeSeconds, int namespaces, double lastCollectionMs,
                           List<ProbeStatus> probes, ConfigStatus config, PolicyStatus policies) {

    /** @param inForce task names ({@code namespace/name}), oldest first; @param refused why, by task name */
    public record PolicyStatus(List<String> inForce, Map<String, String> refused) {
    }

    /** @param lastReloadError why the last reload was refused, or null */
    public record ConfigStatus(String file, long reloadsSucceeded, long reloadsFailed, String lastReloadError) {
    }
}
