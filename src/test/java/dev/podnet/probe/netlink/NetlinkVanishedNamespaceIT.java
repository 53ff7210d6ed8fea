package dev.podnet.probe.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.netns.Netns;
import dev.podnet.netns.NetnsEnterer;
import dev.podnet.netns.NetnsVanishedException;
import dev.podnet.probe.HistogramData;
import dev.podnet.probe.MetricSink;
import dev.podnet.probe.Probe;
import dev.podnet.probe.ProbeContext;
import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.TestAgent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Namespaces that disappear between discovery and collection: the netlink probes report them as
 * vanished (which the engine counts and skips), never as errors, and never read the wrong namespace.
 */
class NetlinkVanishedNamespaceIT {
    private static final List<Supplier<Probe>> PROBES = List.of(TcpSummaryProbe::new, QdiscProbe::new);

    @BeforeAll
    static void root() {
        NetnsLab.assumeKernelLab();
    }

    @Test
    void deletedNamespaceIsVanishedForBothProbes() throws Exception {
        try (NetnsLab lab = new NetnsLab(); NetnsEnterer enterer = new NetnsEnterer(Path.of("/proc"))) {
            String ns = lab.add("gone");
            Netns found = new Netns(lab.inode(ns), ns, List.of(), Path.of("/run/netns", ns), false);
            lab.delete(ns);
            for (Supplier<Probe> factory : PROBES) {
                try (Probe probe = factory.get()) {
                    probe.start(new ProbeContext(Path.of("/proc"), enterer, Map.of()));
                    List<String> written = new ArrayList<>();
                    assertThrows(NetnsVanishedException.class, () -> probe.collectNamespace(found, null, sink(written)),
                            probe.info().name());
                    assertTrue(written.isEmpty(), "nothing collected for a vanished namespace: " + written);
                }
            }
        }
    }

    @Test
    void aPathLeadingToAnotherNamespaceIsVanishedNotRead() throws Exception {
        // What a reused pid looks like: the file that named the namespace now leads somewhere else.
        try (NetnsLab lab = new NetnsLab(); NetnsEnterer enterer = new NetnsEnterer(Path.of("/proc"))) {
            String wanted = lab.add("wanted");
            String other = lab.add("other");
            Netns stale = new Netns(lab.inode(wanted), wanted, List.of(), Path.of("/run/netns", other), false);
            for (Supplier<Probe> factory : PROBES) {
                try (Probe probe = factory.get()) {
                    probe.start(new ProbeContext(Path.of("/proc"), enterer, Map.of()));
                    NetnsVanishedException e = assertThrows(NetnsVanishedException.class,
                            () -> probe.collectNamespace(stale, null, sink(new ArrayList<>())));
                    assertTrue(e.getMessage().contains(String.valueOf(lab.inode(other))), e.getMessage());
                }
            }
        }
    }

    @Test
    void engineCountsAProcessThatExitedAfterDiscoveryAsVanishedAndKeepsTheOthers(@TempDir Path dir) throws Exception {
        try (NetnsLab lab = new NetnsLab()) {
            String live = lab.add("live");
            String dead = lab.add("dead");
            long deadInode = lab.inode(dead);
            lab.delete(dead);
            Process sleeper = lab.spawn(live, "sleep", "300");
            long sleeperPid = awaitChildInNetns(sleeper, lab.inode(live));

            // A procfs as discovery sees it a moment before a scrape: the host (pid 1), a live process, and
            // a process whose namespace link still reads net:[inode] but which is gone when entered.
            Path proc = dir.resolve("proc");
            Files.createDirectories(proc);
            Files.createSymbolicLink(proc.resolve("1"), Path.of("/proc/1"));
            Files.createSymbolicLink(proc.resolve(Long.toString(sleeperPid)), Path.of("/proc/" + sleeperPid));
            Files.createDirectories(proc.resolve("999999/ns"));
            Files.createSymbolicLink(proc.resolve("999999/ns/net"), Path.of("net:[" + deadInode + "]"));
            Path noMounts = Files.createDirectories(dir.resolve("netns"));

            try (TestAgent agent = TestAgent.start("procfs: " + proc + "\nnetnsDir: " + noMounts
                    + "\nprobes: [tcpsummary, qdisc]\n")) {
                Scrape s = agent.scrape();
                assertTrue(s.value("podnet_netns_vanished_total") >= 1, "the dead namespace was counted");
                assertEquals(0, s.value("podnet_probe_errors_total", "probe", "tcpsummary"));
                assertEquals(0, s.value("podnet_probe_errors_total", "probe", "qdisc"));
                assertEquals(1, s.value("podnet_netns_info", "netns", String.valueOf(deadInode)), "it was discovered");
                assertTrue(s.find("podnet_tcp_sockets", "netns", String.valueOf(deadInode)).isEmpty());
                assertEquals(0, s.value("podnet_tcp_sockets", "netns", String.valueOf(lab.inode(live)), "state", "established"),
                        "the live namespace is collected (it has no TCP socket)");
            }
        }
    }

    /** The pid of the `sleep` that `ip netns exec` runs inside the namespace (it may still be starting). */
    private static long awaitChildInNetns(Process launcher, long inode) throws Exception {
        for (int i = 0; i < 100; i++) {
            List<ProcessHandle> all = new ArrayList<>(launcher.descendants().toList());
            all.add(launcher.toHandle());
            for (ProcessHandle p : all) {
                try {
                    String link = Files.readSymbolicLink(Path.of("/proc/" + p.pid() + "/ns/net")).toString();
                    if (link.equals("net:[" + inode + "]")) {
                        return p.pid();
                    }
                } catch (java.io.IOException e) {
                    // exited or not yet there
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("no process of the launcher entered namespace " + inode);
    }

    private static MetricSink sink(List<String> written) {
        return new MetricSink() {
            @Override
            public void counter(String name, String help, double value, String... labels) {
                written.add(name);
            }

            @Override
            public void gauge(String name, String help, double value, String... labels) {
                written.add(name);
            }

            @Override
            public void histogram(String name, String help, HistogramData data, String... labels) {
                written.add(name);
            }

            @Override
            public MetricSink forNetns(long inode) {
                return this;
            }

            @Override
            public void parseErrors(int lines) {
            }
        };
    }
}
