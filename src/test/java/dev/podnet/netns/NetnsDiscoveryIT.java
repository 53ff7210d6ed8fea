package dev.podnet.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.testing.NetnsLab;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class NetnsDiscoveryIT {
    @BeforeAll
    static void root() {
        NetnsLab.assumeKernelLab();
    }

    @Test
    void findsNamedNamespaceWithoutProcessAndReadsItsFilesBySetns() throws Exception {
        try (NetnsLab lab = new NetnsLab(); NetnsEnterer enterer = new NetnsEnterer(Path.of("/proc"))) {
            String a = lab.add("empty");
            lab.veth(a, "10.231.0.1/24", lab.add("peer"), "10.231.0.2/24");
            List<Netns> all = new NetnsDiscovery(Path.of("/proc"), Path.of("/run/netns")).scan();
            Netns found = all.stream().filter(n -> n.inode() == inodeOf(lab, a)).findFirst().orElseThrow();
            assertEquals(a, found.name());
            assertTrue(found.pids().isEmpty(), "no process lives in it");
            assertNotNull(found.mount());
            byte[] dev = NetnsReaders.forNetns(Path.of("/proc"), found, enterer).read("net/dev");
            String text = new String(dev, StandardCharsets.US_ASCII);
            assertTrue(text.contains(lab.lastVeth()[0] + ":"), "its own veth is visible inside: " + text);
            // the enterer came home: our own namespace's view does not have that veth
            String home = new String(java.nio.file.Files.readAllBytes(Path.of("/proc/thread-self/net/dev")));
            assertTrue(!home.contains(lab.lastVeth()[0] + ":"));
            assertTrue(all.getFirst().host(), "host namespace listed first");
        }
    }

    @Test
    void processNamespaceIsNamedAfterItsCommandAndDedupedByInode() throws Exception {
        try (NetnsLab lab = new NetnsLab()) {
            String ns = lab.add("proc");
            lab.spawn(ns, "sleep", "300");
            lab.spawn(ns, "sleep", "301");
            Thread.sleep(300);
            Netns found = new NetnsDiscovery(Path.of("/proc"), Path.of("/run/netns")).scan().stream()
                    .filter(n -> n.inode() == inodeOf(lab, ns)).findFirst().orElseThrow();
            assertEquals(ns, found.name(), "a mounted namespace keeps its /run/netns name");
            assertEquals(2, found.pids().size(), "both sleeps, one namespace");
        }
    }

    private static long inodeOf(NetnsLab lab, String ns) {
        try {
            return lab.inode(ns);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }
}
