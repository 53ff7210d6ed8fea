package dev.podnet.probe;

import dev.podnet.netns.Netns;
import java.util.List;

/** What podnet reports about itself after each collection. */
final class SelfMetrics {
    private SelfMetrics() {
    }

    static void write(SampleBuffer out, List<ProbeRuntime> probes, List<Netns> namespaces,
                      CollectionEngine.Attribution attribution, long vanished, double collectionSeconds) {
        for (ProbeRuntime r : probes) {
            String name = r.info.name();
            out.gauge("podnet_probe_up", "Whether the probe is running (1) or unavailable/failed (0).",
                    r.state == ProbeState.RUNNING ? 1 : 0, "probe", name);
            out.gauge("podnet_probe_duration_seconds", "Duration of the probe's last completed collection.",
                    r.lastDurationSeconds, "probe", name);
            out.counter("podnet_probe_errors_total", "Collection errors of the probe (namespaces or calls that failed).",
                    r.errors.get(), "probe", name);
            out.counter("podnet_probe_late_total", "Collections in which the probe missed its deadline and served its previous samples.",
                    r.late.get(), "probe", name);
            out.counter("podnet_parse_errors_total", "Malformed input lines the probe skipped.",
                    r.parseErrors.get(), "probe", name);
        }
        out.gauge("podnet_collection_duration_seconds", "Duration of the last collection, all probes.", collectionSeconds);
        out.gauge("podnet_netns_discovered", "Network namespaces found on this host.", namespaces.size());
        out.counter("podnet_netns_vanished_total",
                "Namespaces that disappeared between discovery and reading; skipped, not an error.", vanished);
        for (Netns netns : namespaces) {
            out.forNetns(netns.inode()).gauge("podnet_netns_info",
                    "Names each network namespace: its /run/netns name, host, or the command of a process inside.",
                    1, "name", netns.name());
        }
    }
}
