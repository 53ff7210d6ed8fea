package dev.podnet.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The agent, a mock API server holding pods whose IPs are those of real namespaces, and a scrape: the
 * series of each pod's namespace carry its namespace, pod and pod labels, and lose them when the pod goes.
 */
class KubernetesAttributionIT {
    private static final String NODE = "podnet-test-node";
    private static final String RX = "podnet_netdev_receive_bytes_total";

    @BeforeAll
    static void root() {
        NetnsLab.assumeKernelLab();
    }

    @Test
    void podSeriesFollowTheApiServerAndSurviveItsLoss() throws Exception {
        // Attribution scans every namespace on the host; a random subnet keeps other tests' namespaces from
        // holding the same addresses (which would make them ambiguous).
        int r = ThreadLocalRandom.current().nextInt(1, 250);
        try (NetnsLab lab = new NetnsLab(); MockCluster cluster = new MockCluster()) {
            String web = lab.add("web");
            String db = lab.add("db");
            String peer = lab.add("peer");
            lab.veth(web, "10.241." + r + ".1/24", peer, "10.241." + r + ".2/24");
            String webDev = lab.lastVeth()[0];
            String peerDev = lab.lastVeth()[1];
            lab.veth(db, "fd41:" + Integer.toHexString(r) + "::2/64", peer, "fd41:" + Integer.toHexString(r) + "::1/64");
            String dbDev = lab.lastVeth()[0];
            lab.exec(peer, "ip", "addr", "add", "10.241." + r + ".9/32", "dev", "lo");

            String webUid = cluster.runPod("shop", "web", NODE, false, List.of("10.241." + r + ".1"),
                    Map.of("app", "web", "version", "v1")).getMetadata().getUid();
            cluster.runPod("shop", "db", NODE, false, List.of("fd41:" + Integer.toHexString(r) + "::2"), Map.of("app", "db"));
            // both claim addresses of the peer namespace, which must stay unattributed: a hostNetwork pod
            // lives in the host's namespace, and a pod of another node is not ours
            cluster.runPod("monitoring", "host-agent", NODE, true, List.of("10.241." + r + ".2"), Map.of("app", "agent"));
            cluster.runPod("shop", "elsewhere", "another-node", false, List.of("10.241." + r + ".9"), Map.of());

            String k8s = "probes: [netdev]\nkubernetes: true\nkubeconfig: " + cluster.kubeconfig() + "\nnodeName: " + NODE + "\n";
            try (TestAgent agent = TestAgent.start(k8s + "podLabels: [app, version]\n")) {
                String webNetns = Long.toString(lab.inode(web));
                String dbNetns = Long.toString(lab.inode(db));
                String peerNetns = Long.toString(lab.inode(peer));
                // the first list fills the cache before the watch is established: wait for both
                Scrape s = awaitScrape(agent, x -> x.find("podnet_pod_info", "pod", "web", "netns", webNetns).size() == 1
                        && x.find("podnet_pod_info", "pod", "db", "netns", dbNetns).size() == 1
                        && x.value("podnet_kubernetes_up") == 1);

                assertEquals(1, s.value("podnet_kubernetes_up"));
                assertTrue(cluster.nodeSelectors().contains(NODE), "the informer asked for this node's pods only");
                assertEquals(Map.of("netns", webNetns, "namespace", "shop", "pod", "web", "app", "web", "version", "v1", "device", webDev),
                        only(s.find(RX, "netns", webNetns, "device", webDev)).labels());
                assertEquals(Map.of("netns", dbNetns, "namespace", "shop", "pod", "db", "app", "db", "version", "", "device", dbDev),
                        only(s.find(RX, "netns", dbNetns, "device", dbDev)).labels(), "matched by its IPv6 address; no version label: empty");
                assertEquals(Map.of("netns", peerNetns, "namespace", "", "pod", "", "app", "", "version", "", "device", peerDev),
                        only(s.find(RX, "netns", peerNetns, "device", peerDev)).labels());
                String hostNetns = only(s.find("podnet_netns_info", "name", "host")).label("netns");
                assertTrue(s.find(RX, "netns", hostNetns).stream().allMatch(x -> x.label("pod").isEmpty()),
                        "the host's namespace is no pod's, hostNetwork pods included");

                assertEquals(Map.of("namespace", "shop", "pod", "web", "uid", webUid, "netns", webNetns,
                        "host_network", "false", "node", NODE, "app", "web", "version", "v1"),
                        only(s.find("podnet_pod_info", "pod", "web")).labels());
                assertEquals("", only(s.find("podnet_pod_info", "pod", "host-agent", "host_network", "true")).label("netns"));
                assertTrue(s.find("podnet_pod_info", "pod", "elsewhere").isEmpty(), "another node's pod is not listed");
                assertEquals(3, s.find("podnet_pod_info").size());
                assertPromtoolAccepts(s);

                // podLabels changed in the file: new label set on the next scrape, no restart
                agent.rewriteConfig(k8s + "podLabels: [app, tier]\n");
                s = agent.scrape();
                Scrape.Series webRx = only(s.find(RX, "netns", webNetns, "device", webDev));
                assertEquals("web", webRx.label("app"));
                assertEquals("", webRx.labels().get("tier"));
                assertFalse(webRx.labels().containsKey("version"), "version is no longer asked for: " + webRx);

                cluster.deletePod("shop", "web");
                s = awaitScrape(agent, x -> x.find("podnet_pod_info", "pod", "web").isEmpty());
                assertTrue(s.find(RX, "pod", "web").isEmpty(), "no series of the deleted pod");
                assertEquals(Map.of("netns", webNetns, "namespace", "", "pod", "", "app", "", "tier", "", "device", webDev),
                        only(s.find(RX, "netns", webNetns, "device", webDev)).labels());

                cluster.stopServer();
                s = awaitScrape(agent, x -> x.maybe("podnet_kubernetes_up").orElse(1.0) == 0);
                assertEquals("db", only(s.find(RX, "netns", dbNetns, "device", dbDev)).label("pod"),
                        "the last known attribution is served while the API server is away");
                assertEquals(2, s.find("podnet_pod_info").size());
            }
        }
    }

    /**
     * {@code podnet_pod_info} and the pod labels on the series come from one attribution: the first scrape
     * after the agent's informer has seen a pod go shows it gone from both, and the first after it has seen
     * a pod come shows it in both, with the same namespace.
     */
    @Test
    void podInfoChangesInTheSameScrapeAsTheSeries() throws Exception {
        int r = ThreadLocalRandom.current().nextInt(1, 250);
        try (NetnsLab lab = new NetnsLab(); MockCluster cluster = new MockCluster()) {
            String web = lab.add("web");
            String cache = lab.add("cache");
            lab.exec(web, "ip", "addr", "add", "10.243." + r + ".1/32", "dev", "lo");
            lab.exec(cache, "ip", "addr", "add", "10.243." + r + ".2/32", "dev", "lo");
            String webNetns = Long.toString(lab.inode(web));
            String cacheNetns = Long.toString(lab.inode(cache));
            cluster.runPod("shop", "web", NODE, false, List.of("10.243." + r + ".1"), Map.of("app", "web"));
            try (TestAgent agent = TestAgent.start("probes: [netdev]\nkubernetes: true\nkubeconfig: " + cluster.kubeconfig()
                    + "\nnodeName: " + NODE + "\n")) {
                Scrape s = awaitScrape(agent, x -> x.find("podnet_pod_info", "pod", "web", "netns", webNetns).size() == 1);
                assertEquals("web", only(s.find("podnet_netns_info", "netns", webNetns)).label("pod"));

                cluster.deletePod("shop", "web");
                awaitInformer(agent, pods -> pods.stream().noneMatch(p -> p.name().equals("web")));
                s = agent.scrape();
                assertEquals("", only(s.find("podnet_netns_info", "netns", webNetns)).label("pod"), "series without the pod");
                assertEquals(List.of(), s.find("podnet_pod_info", "pod", "web"), "and no pod info for it in the same scrape");

                cluster.runPod("shop", "cache", NODE, false, List.of("10.243." + r + ".2"), Map.of("app", "cache"));
                awaitInformer(agent, pods -> pods.stream().anyMatch(p -> p.name().equals("cache")));
                s = agent.scrape();
                assertEquals("cache", only(s.find("podnet_netns_info", "netns", cacheNetns)).label("pod"), "series with the pod");
                assertEquals(1, s.find("podnet_pod_info", "pod", "cache", "netns", cacheNetns).size(),
                        "and its pod info, same namespace, in the same scrape: " + s.find("podnet_pod_info"));
            }
        }
    }

    /** Waits, without scraping, until the agent's pod informer holds what {@code seen} wants. */
    private static void awaitInformer(TestAgent agent, java.util.function.Predicate<List<PodRecord>> seen) throws Exception {
        long until = System.nanoTime() + 30_000_000_000L;
        while (!seen.test(agent.agent().kubernetes().pods())) {
            if (System.nanoTime() > until) {
                throw new AssertionError("the informer never got there: " + agent.agent().kubernetes().pods());
            }
            Thread.sleep(20);
        }
    }

    @Test
    void switchedOffItIsHostMode() throws Exception {
        try (NetnsLab lab = new NetnsLab(); MockCluster cluster = new MockCluster();
             TestAgent agent = TestAgent.start("probes: [netdev]\nkubernetes: false\nkubeconfig: " + cluster.kubeconfig()
                     + "\nnodeName: " + NODE + "\npodLabels: [app]\n")) {
            String ns = lab.add("solo");
            lab.veth(ns, "10.242.7.1/24", lab.add("solo2"), "10.242.7.2/24");
            cluster.runPod("shop", "web", NODE, false, List.of("10.242.7.1"), Map.of("app", "web"));
            Scrape s = agent.scrape();
            Scrape.Series rx = only(s.find(RX, "netns", Long.toString(lab.inode(ns)), "device", lab.lastVeth()[0]));
            assertEquals(Map.of("netns", Long.toString(lab.inode(ns)), "namespace", "", "pod", "", "device", lab.lastVeth()[0]),
                    rx.labels(), "no pod labels in host mode");
            assertTrue(s.find("podnet_kubernetes_up").isEmpty());
            assertTrue(s.find("podnet_pod_info").isEmpty());
            assertTrue(cluster.nodeSelectors().isEmpty(), "the API server was never asked");
        }
    }

    /** The exposition, pod info and pod labels included, passes Prometheus's own checker. */
    private static void assertPromtoolAccepts(Scrape s) throws Exception {
        Assumptions.assumeTrue(Sh.available("promtool"), "needs promtool (prometheus package)");
        Path file = Files.createTempFile("podnet-scrape", ".prom");
        try {
            Files.writeString(file, s.text());
            Sh.Result r = Sh.tryRun(List.of("sh", "-c", "promtool check metrics < " + file));
            // exit 3 is lint findings; those about metrics outside this test's subject are not its business
            assertTrue(r.exit() == 0 || r.exit() == 3, "promtool cannot parse the exposition: " + r.out());
            assertTrue(r.out().lines().noneMatch(l -> l.contains("podnet_pod_info") || l.contains("podnet_kubernetes_up")
                    || l.contains("podnet_netdev")), "promtool: " + r.out());
        } finally {
            Files.delete(file);
        }
    }

    private static Scrape.Series only(List<Scrape.Series> found) {
        assertEquals(1, found.size(), "series: " + found);
        return found.getFirst();
    }

    private static Scrape awaitScrape(TestAgent agent, java.util.function.Predicate<Scrape> done) throws Exception {
        long until = System.nanoTime() + 60_000_000_000L;
        Scrape s = agent.scrape();
        while (!done.test(s)) {
            if (System.nanoTime() > until) {
                throw new AssertionError("timed out; last scrape:\n" + s.text().lines()
                        .filter(l -> l.startsWith("podnet_pod_info") || l.startsWith("podnet_kubernetes_up")).toList());
            }
            Thread.sleep(100);
            s = agent.scrape();
        }
        return s;
    }
}
