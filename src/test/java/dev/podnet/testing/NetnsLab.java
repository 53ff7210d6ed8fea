package dev.podnet.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.podnet.netns.Netns;
import dev.podnet.netns.NetnsEnterer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Real network namespaces for tests, all named with one random prefix so parallel runs never collide,
 * and all removed on {@link #close()} (also after a failure). Namespaces are created with
 * {@code ip netns add}; processes started in them are killed on close; nftables tables created through
 * {@link #nft} are deleted.
 */
public final class NetnsLab implements AutoCloseable {
    private final String prefix = "pn" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x1000, 0xffff));
    private final List<String> namespaces = Collections.synchronizedList(new ArrayList<>());
    private final List<Process> processes = Collections.synchronizedList(new ArrayList<>());
    private final List<String> nftCleanup = Collections.synchronizedList(new ArrayList<>());
    private final List<NetnsChurn> churns = Collections.synchronizedList(new ArrayList<>());
    private final NetnsEnterer enterer = new NetnsEnterer(Path.of("/proc"));
    private int veths;

    /** Skips the calling test, with the reason, unless we are root with iproute2. */
    public static void assumeKernelLab() {
        assumeTrue(isRoot(), "needs root to create network namespaces (run the suite as root)");
        assumeTrue(Sh.available("ip"), "needs iproute2 (`ip`)");
    }

    public static boolean isRoot() {
        return "0".equals(Sh.tryRun(List.of("id", "-u")).out().strip());
    }

    public String prefix() {
        return prefix;
    }

    /** Creates a named namespace (lo up) and returns its full name. */
    public String add(String shortName) {
        String name = prefix + "-" + shortName;
        Sh.run("ip", "netns", "add", name);
        namespaces.add(name);
        Sh.run("ip", "-n", name, "link", "set", "lo", "up");
        return name;
    }

    /** Joins two namespaces with a veth pair and gives each end an address (CIDR, e.g. 10.200.1.1/24). */
    public void veth(String nsA, String cidrA, String nsB, String cidrB) {
        String a = prefix.substring(2) + "a" + veths;
        String b = prefix.substring(2) + "b" + veths;
        veths++;
        Sh.run("ip", "link", "add", a, "netns", nsA, "type", "veth", "peer", "name", b, "netns", nsB);
        Sh.run("ip", "-n", nsA, "addr", "add", cidrA, "dev", a);
        Sh.run("ip", "-n", nsB, "addr", "add", cidrB, "dev", b);
        Sh.run("ip", "-n", nsA, "link", "set", a, "up");
        Sh.run("ip", "-n", nsB, "link", "set", b, "up");
    }

    /** The device names of the last veth pair: index 0 in nsA, 1 in nsB. */
    public String[] lastVeth() {
        int n = veths - 1;
        return new String[] {prefix.substring(2) + "a" + n, prefix.substring(2) + "b" + n};
    }

    /** Starts a long-running process inside a namespace; killed on close. */
    public Process spawn(String ns, String... command) throws IOException {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        cmd.addAll(List.of(command));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        processes.add(p);
        return p;
    }

    /** Runs a command inside a namespace to completion and returns its output. */
    public String exec(String ns, String... command) {
        List<String> cmd = new ArrayList<>(List.of("ip", "netns", "exec", ns));
        cmd.addAll(List.of(command));
        return Sh.run(cmd.toArray(String[]::new));
    }

    /** Reads a procfs file as the namespace itself sees it (e.g. "net/snmp"). */
    public String procFile(String ns, String relative) {
        return exec(ns, "cat", "/proc/self/" + relative);
    }

    /** The namespace's inode, its identity in podnet's labels. */
    public long inode(String ns) throws IOException {
        return ((Number) Files.getAttribute(Path.of("/run/netns", ns), "unix:ino")).longValue();
    }

    /**
     * Runs Java code inside the namespace: sockets created here belong to it and keep working from any
     * thread afterwards.
     */
    public <T> T inNetns(String ns, Callable<T> work) throws IOException {
        Path mount = Path.of("/run/netns", ns);
        Netns netns = new Netns(inode(ns), ns, List.of(), mount, false);
        return enterer.call(netns, work);
    }

    /** Applies an nftables script; the named table is deleted on close. Family and table e.g. "inet", "pnx". */
    public void nft(String ns, String family, String table, String script) throws IOException {
        Path file = Files.createTempFile("podnet-nft", ".nft");
        try {
            Files.writeString(file, script);
            if (ns == null) {
                Sh.run("nft", "-f", file.toString());
            } else {
                exec(ns, "nft", "-f", file.toString());
            }
            nftCleanup.add((ns == null ? "" : ns) + "|" + family + "|" + table);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** Deletes one namespace now (e.g. to make it vanish mid-collection). */
    public void delete(String ns) {
        Sh.tryRun(List.of("ip", "netns", "del", ns));
        namespaces.remove(ns);
    }

    /**
     * Removes the namespace's bind mount but leaves its file under /run/netns, empty, as {@code ip netns del}
     * does between its two steps (umount, then unlink). Its name stays in the lab; close unlinks the file.
     */
    public void unmount(String ns) {
        Sh.run("umount", Path.of("/run/netns", ns).toString());
    }

    /**
     * Creates and deletes named namespaces {@code perSecond} times a second until closed (or until the lab
     * is); see {@link NetnsChurn}.
     */
    public NetnsChurn churn(int perSecond, Duration lifetime, Duration unmountedFor) {
        NetnsChurn churn = new NetnsChurn(prefix + "-churn", perSecond, lifetime, unmountedFor);
        churns.add(churn);
        return churn;
    }

    @Override
    public void close() {
        for (NetnsChurn churn : churns) {
            try {
                churn.close();
            } catch (IOException e) {
                // a test that wants the churn's failure closes it itself; here only what is left goes
            }
        }
        for (Process p : processes) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (String entry : nftCleanup) {
            String[] parts = entry.split("\\|");
            if (parts[0].isEmpty()) {
                Sh.tryRun(List.of("nft", "delete", "table", parts[1], parts[2]));
            }
        }
        for (String ns : List.copyOf(namespaces)) {
            Sh.tryRun(List.of("ip", "netns", "del", ns));
        }
        enterer.close();
    }
}
