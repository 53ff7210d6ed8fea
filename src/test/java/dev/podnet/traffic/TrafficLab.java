package dev.podnet.traffic;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.podnet.procfs.NetDevParser;
import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.Sh;
import dev.podnet.testing.TestAgent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;

/** What the traffic probe tests share: kernel checks, quiet namespace pairs, net/dev, scrapes. */
final class TrafficLab {
    private TrafficLab() {
    }

    static void assumeTrafficLab() {
        NetnsLab.assumeKernelLab();
        assumeTrue(Files.exists(Path.of("/sys/kernel/btf/vmlinux")), "needs kernel BTF (/sys/kernel/btf/vmlinux)");
    }

    /**
     * A namespace without IPv6 (so no router solicitations or neighbour discovery of its own move the
     * counters under test).
     */
    static String quietNamespace(NetnsLab lab, String name) {
        String ns = lab.add(name);
        lab.exec(ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
        return ns;
    }

    /** {receive bytes, receive packets, transmit bytes, transmit packets} of a device, from the namespace's net/dev. */
    static long[] netDev(NetnsLab lab, String ns, String device) {
        for (NetDevParser.Device d : NetDevParser.parse(lab.procFile(ns, "net/dev")).devices()) {
            if (d.name().equals(device)) {
                long[] v = d.values();
                return new long[] {v[0], v[1], v[8], v[9]};
            }
        }
        throw new AssertionError("no device " + device + " in " + ns);
    }

    /**
     * Waits until the devices' packet counters have not moved for a second (bounded): the sockets' last
     * FINs, ACKs and resets are out, so two observers started and stopped around this agree.
     */
    static void awaitQuiet(NetnsLab lab, String[] namespaces, String[] devices) throws InterruptedException {
        long deadline = System.nanoTime() + 20_000_000_000L;
        String last = "";
        long quietSince = System.nanoTime();
        while (System.nanoTime() < deadline) {
            StringBuilder now = new StringBuilder();
            for (int i = 0; i < namespaces.length; i++) {
                now.append(java.util.Arrays.toString(netDev(lab, namespaces[i], devices[i])));
            }
            if (!now.toString().equals(last)) {
                last = now.toString();
                quietSince = System.nanoTime();
            } else if (System.nanoTime() - quietSince > 1_000_000_000L) {
                return;
            }
            Thread.sleep(100);
        }
        throw new AssertionError("the devices never went quiet");
    }

    static String netns(NetnsLab lab, String ns) throws Exception {
        return Long.toString(lab.inode(ns));
    }

    /** Scrapes until {@code ready} holds (bounded: waits for the kernel's and the agent's asynchronous work). */
    static Scrape awaitScrape(TestAgent agent, Predicate<Scrape> ready, String what) throws Exception {
        return agent.awaitScrape(ready, what, Duration.ofSeconds(15));
    }

    /** Scrapes until the traffic probe has its programs on {@code devices} devices of the namespace set. */
    static Scrape awaitAttached(TestAgent agent, int namespaces) throws Exception {
        return awaitScrape(agent, s -> s.sum("podnet_traffic_namespaces") >= namespaces, namespaces + " attached namespaces");
    }

    static void run(String... command) {
        Sh.run(command);
    }
}
