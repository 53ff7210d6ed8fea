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
            // procfs probes: snmp, netstat, sockstat, conntrack stat, softnet
            family("podnet_snmp_tcp_", "_total", "active_opens", "passive_opens", "retrans_segs", "out_rsts",
                    "attempt_fails", "estab_resets", "in_errs"),
            Stream.of("podnet_snmp_tcp_curr_estab"),
            family("podnet_snmp_udp_", "_total", "in_datagrams", "out_datagrams", "no_ports", "in_errors",
                    "rcvbuf_errors", "sndbuf_errors"),
            family("podnet_netstat_tcpext_", "_total", "listen_overflows", "listen_drops", "tcp_timeouts"),
            Stream.of("podnet_sockstat_tcp_inuse", "podnet_sockstat_tcp_tw", "podnet_conntrack_stat_entries"),
            family("podnet_conntrack_stat_", "_total", "insert_failed", "drop", "early_drop"),
            family("podnet_softnet_", "_total", "processed", "dropped", "time_squeeze"),
            // netlink probes: sock_diag, qdisc
            Stream.of("podnet_tcp_sockets", "podnet_qdisc_bytes_total", "podnet_qdisc_drops_total"),
            // BPF probes
            Stream.of("podnet_tcp_retransmits_total", "podnet_tcp_resets_total", "podnet_tcp_connections_opened_total",
                    "podnet_tcp_connect_failures_total", "podnet_packet_drops_total",
                    "podnet_softirq_latency_seconds_bucket", "podnet_netif_tx_latency_seconds_bucket"),
            // Kubernetes attribution
            Stream.of("podnet_pod_info"))
            .flatMap(s -> s).collect(Collectors.toUnmodifiableSet());

    private static Stream<String> family(String prefix, String suffix, String... fields) {
        return Stream.of(fields).map(f -> prefix + f + suffix);
    }
}
