package dev.podnet.it;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.podnet.testing.MockCluster;
import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.Sh;
import dev.podnet.testing.TestAgent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * What one pod costs in series with the default config: a pod of a mock cluster in its own network
 * namespace (a process inside, IPv6 on, conntrack in use) talks TCP and UDP to a peer namespace for a
 * few seconds, opening and closing connections both ways, hitting closed ports and an nftables drop, while
 * the agent runs every default probe with their default settings. Every series that carries the pod's
 * {@code netns} label is counted, and the count must stay within the budget that the README states.
 *
 * <p>The count and its breakdown by metric family are printed (surefire keeps them in
 * {@code target/surefire-reports/dev.podnet.it.SeriesBudgetIT-output.txt}).
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class SeriesBudgetIT {
    /** Series one pod may export with every default-on probe. */
    static final int BUDGET = 200;
    private static final String NODE = "podnet-budget-node";

    @Test
    void aPodWithOrdinaryTrafficExportsAtMostTheBudgetWithTheDefaultConfig() throws Exception {
        NetnsLab.assumeKernelLab();
        assumeTrue(Sh.available("nft"), "needs nftables (`nft`) for conntrack and a drop");
        assumeTrue(Files.exists(Path.of("/sys/kernel/btf/vmlinux")), "needs kernel BTF for the default BPF probes");
        int subnet = ThreadLocalRandom.current().nextInt(1, 250);
        String podIp = "10.247." + subnet + ".1";
        String peerIp = "10.247." + subnet + ".2";
        try (NetnsLab lab = new NetnsLab(); MockCluster cluster = new MockCluster()) {
            String pod = lab.add("pod");
            String peer = lab.add("peer");
            lab.veth(pod, podIp + "/24", peer, peerIp + "/24");
            lab.spawn(pod, "sleep", "600");
            lab.nft(pod, "inet", "pnbudget", """
                    table inet pnbudget {
                      chain input {
                        type filter hook input priority 0; policy accept;
                        ct state new counter
                        udp dport %d drop
                      }
                    }
                    """.formatted(PodLikeTraffic.POD_UDP_DROPPED_PORT));
            String namespace = "budget-" + lab.prefix();
            cluster.runPod(namespace, "app", NODE, false, List.of(podIp), Map.of("app", "budget"));
            String inode = Long.toString(lab.inode(pod));
            // the default config: no probe list, no probe settings; only what attributes the pod
            try (TestAgent agent = TestAgent.start("""
                    kubernetes: true
                    kubeconfig: %s
                    nodeName: %s
                    """.formatted(cluster.kubeconfig(), NODE));
                 PodLikeTraffic traffic = PodLikeTraffic.start(lab, pod, podIp, peer, peerIp)) {
                awaitAttribution(agent, inode);
                List<String> down = agent.scrape().find("podnet_probe_up").stream().filter(s -> s.value() != 1)
                        .map(s -> s.label("probe")).toList();
                assumeTrue(down.isEmpty(), "every default probe must run for a full count; not running here: " + down);
                // rounds over more than one attach window of the windowed probes (1 s in every 8 s)
                traffic.rounds(12, 500);
                Scrape scrape = agent.scrape();
                List<Scrape.Series> podSeries = scrape.all().stream().filter(s -> inode.equals(s.label("netns"))).toList();
                Map<String, Long> byFamily = byFamily(scrape, podSeries);
                String report = report(podSeries.size(), byFamily);
                System.out.println(report);
                assertTrue(byFamily.keySet().stream().anyMatch(f -> f.startsWith("podnet_snmp_tcp_")),
                        "the pod's TCP counters are among its series:\n" + report);
                assertTrue(scrape.sum("podnet_tcp_connections_opened_total", "netns", inode) > 0,
                        "the BPF probes saw the pod's connections:\n" + report);
                assertTrue(podSeries.size() <= BUDGET, "a pod exports " + podSeries.size() + " series, the budget is "
                        + BUDGET + ":\n" + report);
            }
        }
    }

    private static void awaitAttribution(TestAgent agent, String inode) throws Exception {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (agent.scrape().find("podnet_pod_info", "pod", "app", "netns", inode).size() != 1) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the pod was not attributed to its namespace within 60 s");
            }
            Thread.sleep(200);
        }
    }

    /**
     * Series per metric family: a histogram's {@code _bucket}, {@code _sum} and {@code _count} belong to
     * one family, named by the exposition's {@code # TYPE} lines.
     */
    static Map<String, Long> byFamily(Scrape scrape, List<Scrape.Series> series) {
        List<String> families = scrape.text().lines().filter(l -> l.startsWith("# TYPE "))
                .map(l -> l.split(" ")[2]).sorted(Comparator.comparingInt(String::length).reversed()).toList();
        return series.stream().collect(Collectors.groupingBy(s -> family(families, s.name()), TreeMap::new,
                Collectors.counting()));
    }

    private static String family(List<String> families, String name) {
        for (String f : families) {
            if (name.equals(f) || name.startsWith(f) && List.of("_total", "_bucket", "_sum", "_count", "_created", "_info")
                    .contains(name.substring(f.length()))) {
                return f;
            }
        }
        return name;
    }

    private static String report(int total, Map<String, Long> byFamily) {
        Map<String, Long> byGroup = new TreeMap<>();
        byFamily.forEach((family, n) -> byGroup.merge(group(family), n, Long::sum));
        StringBuilder sb = new StringBuilder();
        sb.append("series of one pod with the default config: ").append(total).append(" (budget ").append(BUDGET)
                .append(")\nby group:\n");
        appendByCount(sb, byGroup);
        sb.append("by family (").append(byFamily.size()).append("):\n");
        appendByCount(sb, byFamily);
        return sb.toString();
    }

    private static void appendByCount(StringBuilder sb, Map<String, Long> counts) {
        counts.entrySet().stream().sorted(Map.Entry.<String, Long>comparingByValue().reversed()
                        .thenComparing(Map.Entry.comparingByKey()))
                .forEach(e -> sb.append(String.format("  %4d %s%n", e.getValue(), e.getKey())));
    }

    /** The file or probe a family comes from: {@code podnet_snmp}, {@code podnet_netdev}, {@code podnet_tcp}. */
    private static String group(String family) {
        String[] parts = family.split("_");
        return parts.length > 1 ? parts[0] + "_" + parts[1] : family;
    }
}
