package dev.podnet.http;

import dev.podnet.probe.ProbeStatus;
import java.util.List;

/**
 * The body of {@code GET /status}.
 *
 * @param namespaces network namespaces found by the last collection (-1 before the first)
 * @param lastCollectionMs duration of the last collection (-1 before the first)
 * @param config where the config came from and how the last reload went
 */
public record StatusReport(String version, double uptimeSeconds, int namespaces, double lastCollectionMs,
                           List<ProbeStatus> probes, ConfigStatus config) {

    /** @param lastReloadError why the last reload was refused, or null */
    public record ConfigStatus(String file, long reloadsSucceeded, long reloadsFailed, String lastReloadError) {
    }
}
