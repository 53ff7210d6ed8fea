package dev.podnet.probe.bpf;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.NetnsSockets;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.TestAgent;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;

/** What the BPF probe tests share: the kernel checks, two joined namespaces, waiting on scrapes. */
final class BpfProbeLab {
    private BpfProbeLab() {
    }

    static void assumeBpf() {
        NetnsLab.assumeKernelLab();
        assumeTrue(Files.exists(Path.of("/sys/kernel/btf/vmlinux")), "needs kernel BTF (/sys/kernel/btf/vmlinux)");
    }

    /** Two namespaces on one veth: [client at 10.212.n.1, server at 10.212.n.2]. */
    static String[] pair(NetnsLab lab, int subnet) {
        String client = lab.add("cli");
        String server = lab.add("srv");
        lab.veth(client, "10.212." + subnet + ".1/24", server, "10.212." + subnet + ".2/24");
        return new String[] {client, server};
    }

    static String netns(NetnsLab lab, String ns) throws Exception {
        return Long.toString(lab.inode(ns));
    }

    /** Scrapes until the scrape satisfies {@code ready} (bounded; the kernel's async work, not timing). */
    static Scrape awaitScrape(TestAgent agent, Predicate<Scrape> ready, String what) throws Exception {
        return agent.awaitScrape(ready, what, Duration.ofSeconds(15));
    }

    /** A TcpExt field of the namespace's /proc/net/netstat (header line, then value line). */
    static long tcpExt(NetnsLab lab, String ns, String field) {
        String[] header = null;
        for (String line : lab.procFile(ns, "net/netstat").split("\n")) {
            if (!line.startsWith("TcpExt:")) {
                continue;
            }
            String[] fields = line.trim().split("\\s+");
            if (header == null) {
                header = fields;
                continue;
            }
            for (int i = 1; i < header.length; i++) {
                if (header[i].equals(field)) {
                    return Long.parseLong(fields[i]);
                }
            }
        }
        throw new AssertionError("no TcpExt " + field + " in the net/netstat of " + ns);
    }

    /** A listener inside the namespace; see {@link NetnsSockets#listen}. */
    static ServerSocket listen(NetnsLab lab, String ns, String address, int port) throws Exception {
        return NetnsSockets.listen(lab, ns, address, port);
    }

    /** A connection from inside the namespace; see {@link NetnsSockets#connect}. */
    static Socket connect(NetnsLab lab, String ns, String address, int port) throws Exception {
        return NetnsSockets.connect(lab, ns, address, port);
    }
}
