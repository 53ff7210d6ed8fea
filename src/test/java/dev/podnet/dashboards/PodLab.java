package dev.podnet.dashboards;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.podnet.probe.ProbeCatalog;
import dev.podnet.testing.MockCluster;
import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.Sh;
import dev.podnet.testing.TestAgent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Two pods of a mock Kubernetes cluster living in real network namespaces joined by a veth: "web"
 * (10.246.n.1, a token bucket qdisc on its veth) and "db" (10.246.n.2, an nftables table that loses part
 * of the TCP traffic to {@link #LOSSY_PORT} and drops UDP to {@link #UDP_DROPPED_PORT}), and the agent
 * with every probe podnet has, attributing the namespaces to the pods. {@link PodTraffic} makes the
 * events the dashboards show.
 */
final class PodLab implements AutoCloseable {
    static final String NODE = "podnet-e2e-node";
    static final int LOSSY_PORT = 5301;
    static final int CLOSED_PORT = 5399;
    static final int UDP_PORT = 5302;
    static final int UDP_DROPPED_PORT = 5303;
    static final int UDP_CLOSED_PORT = 5304;
    /** Percentage of the packets to {@link #LOSSY_PORT} that db's nftables drops: enough for retransmits every round. */
    private static final int LOSS_PERCENT = 15;

    /** One pod: its name, its network namespace ({@link NetnsLab} name and inode) and its IP. */
    record TestPod(String name, String ns, String inode, String ip) {
    }

    private final NetnsLab lab = new NetnsLab();
    private MockCluster cluster;
    private TestAgent agent;
    private String namespace;
    private TestPod web;
    private TestPod db;

    private PodLab() {
    }

    /** Skips the calling test, with the reason, where namespaces or BPF probes are not possible. */
    static void assumeLab() {
        NetnsLab.assumeKernelLab();
        assumeTrue(Sh.available("nft"), "needs nftables (`nft`) for packet loss and drops");
        assumeTrue(Sh.available("tc"), "needs `tc` (iproute2) for a qdisc");
        assumeTrue(Files.exists(Path.of("/sys/kernel/btf/vmlinux")),
                "needs kernel BTF (/sys/kernel/btf/vmlinux) for the BPF probes");
    }

    /** Builds the namespaces, the cluster and its pods, and starts the agent with every probe. */
    static PodLab start() throws Exception {
        PodLab pods = new PodLab();
        try {
            pods.build();
            return pods;
        } catch (Exception | AssertionError e) {
            pods.close();
            throw e;
        }
    }

    private void build() throws Exception {
        // Attribution scans every namespace on the host: a random subnet keeps a concurrent run's namespaces
        // from holding the same addresses.
        int n = ThreadLocalRandom.current().nextInt(1, 250);
        String webNs = lab.add("web");
        String dbNs = lab.add("db");
        lab.veth(webNs, "10.246." + n + ".1/24", dbNs, "10.246." + n + ".2/24");
        String webDevice = lab.lastVeth()[0];
        web = new TestPod("web", webNs, Long.toString(lab.inode(webNs)), "10.246." + n + ".1");
        db = new TestPod("db", dbNs, Long.toString(lab.inode(dbNs)), "10.246." + n + ".2");
        // veth has no qdisc (noqueue, which podnet leaves out): a token bucket gives the qdisc panels a
        // queue to show and netiftx a qdisc phase, fast enough not to slow the traffic down.
        lab.exec(webNs, "tc", "qdisc", "add", "dev", webDevice, "root", "tbf", "rate", "200mbit", "burst", "256kb",
                "latency", "100ms");
        lab.nft(dbNs, "inet", "pne2e", """
                table inet pne2e {
                  chain input {
                    type filter hook input priority 0; policy accept;
                    # a conntrack match makes the kernel track this namespace's connections
                    ct state new counter
                    tcp dport %d numgen random mod 100 < %d drop
                    udp dport %d drop
                  }
                }
                """.formatted(LOSSY_PORT, LOSS_PERCENT, UDP_DROPPED_PORT));

        // A Kubernetes namespace of this run's own, so the dashboards' $namespace selects only these pods.
        namespace = "e2e-" + lab.prefix();
        cluster = new MockCluster();
        cluster.runPod(namespace, web.name(), NODE, false, List.of(web.ip()), Map.of("app", "shop-web"));
        cluster.runPod(namespace, db.name(), NODE, false, List.of(db.ip()), Map.of("app", "shop-db"));
        // internalNetworks leaves the pods' own subnet out, so their traffic is "internet" and that panel has data.
        agent = TestAgent.start("""
                probes: [%s]
                probeDeadline: 3s
                kubernetes: true
                kubeconfig: %s
                nodeName: %s
                podLabels: [app]
                probeSettings: {netiftx: {window: none}, softirq: {window: none}}
                internalNetworks: [127.0.0.0/8]
                """.formatted(String.join(", ", ProbeCatalog.standard().names()), cluster.kubeconfig(), NODE));
    }

    /** Scrapes the agent until both pods are attributed to their namespaces (the pod watch is asynchronous). */
    Scrape awaitAttribution() throws Exception {
        long deadline = System.nanoTime() + 60_000_000_000L;
        while (true) {
            Scrape s = agent.scrape();
            if (s.find("podnet_pod_info", "pod", "web", "netns", web.inode()).size() == 1
                    && s.find("podnet_pod_info", "pod", "db", "netns", db.inode()).size() == 1) {
                return s;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("the pods were not attributed to their namespaces within 60 s: "
                        + s.find("podnet_pod_info"));
            }
            Thread.sleep(200);
        }
    }

    NetnsLab lab() {
        return lab;
    }

    TestAgent agent() {
        return agent;
    }

    /** The Kubernetes namespace of both pods. */
    String namespace() {
        return namespace;
    }

    TestPod web() {
        return web;
    }

    TestPod db() {
        return db;
    }

    List<TestPod> pods() {
        return List.of(web, db);
    }

    @Override
    public void close() throws Exception {
        try (NetnsLab l = lab) {
            if (agent != null) {
                agent.close();
            }
        } finally {
            if (cluster != null) {
                cluster.close();
            }
        }
    }
}
