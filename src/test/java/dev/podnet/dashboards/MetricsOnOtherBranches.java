package dev.podnet.dashboards;

import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * ======== PENDING: metrics of probes being built on other branches, not produced on this one ========
 *
 * The dashboards may use these names although the in-process agent of this branch does not export them
 * yet. When a branch that produces one is merged, DashboardMetricsIT fails with "remove from
 * MetricsOnOtherBranches" for every name the agent now really exports: delete those lines. Names that
 * only appear with Kubernetes (podnet_pod_info) or with rare events (retransmits) may stay.
 */
final class MetricsOnOtherBranches {
    private MetricsOnOtherBranches() {
    }

    static final Set<String> NAMES = Stream.of(
            // BPF probes
            Stream.of("podnet_tcp_retransmits_total", "podnet_tcp_resets_total", "podnet_tcp_connections_opened_total",
                    "podnet_tcp_connect_failures_total", "podnet_packet_drops_total",
                    "podnet_netif_tx_latency_seconds_bucket"),
            // Kubernetes attribution
            Stream.of("podnet_pod_info"))
            .flatMap(s -> s).collect(Collectors.toUnmodifiableSet());

    private static Stream<String> family(String prefix, String suffix, String... fields) {
        return Stream.of(fields).map(f -> prefix + f + suffix);
    }
}
