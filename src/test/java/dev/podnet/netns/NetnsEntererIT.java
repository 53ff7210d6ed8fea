package dev.podnet.netns;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A named namespace changes between discovery and entering it: its mount removed with the file still
 * there (as {@code ip netns del} leaves it between umount and unlink), or its name mounted for another
 * namespace. Either way the namespace that was found is gone: vanished, and nothing runs elsewhere.
 */
class NetnsEntererIT {
    private static final Path PROC = Path.of("/proc");

    @BeforeAll
    static void root() {
        NetnsLab.assumeKernelLab();
    }

    @Test
    void aNameWhoseMountWasRemovedIsVanished() throws Exception {
        try (NetnsLab lab = new NetnsLab(); NetnsEnterer enterer = new NetnsEnterer(PROC)) {
            String ns = lab.add("unmounted");
            Netns found = discover(lab, ns);
            assertEquals(found.inode(), enterer.call(found, NetnsEntererIT::threadNetns), "entered while mounted");

            lab.unmount(ns);
            assertTrue(Files.exists(found.mount()), "the file is still there, no longer a namespace");
            AtomicBoolean ran = new AtomicBoolean();
            NetnsVanishedException e = assertThrows(NetnsVanishedException.class,
                    () -> enterer.call(found, () -> ran.getAndSet(true)));
            assertTrue(e.getMessage().contains("mount was removed"), e.getMessage());
            assertFalse(ran.get(), "nothing ran");
            assertThrows(NetnsVanishedException.class, () -> NetnsReaders.forNetns(PROC, found, enterer).read("net/dev"),
                    "the reader of a namespace without processes says so too");
        }
    }

    @Test
    void aNameMountedForAnotherNamespaceIsVanishedNotEntered() throws Exception {
        try (NetnsLab lab = new NetnsLab(); NetnsEnterer enterer = new NetnsEnterer(PROC)) {
            String ns = lab.add("renamed");
            String other = lab.add("other");
            Netns found = discover(lab, ns);
            lab.unmount(ns);
            Sh.run("mount", "--bind", "/run/netns/" + other, "/run/netns/" + ns);
            AtomicBoolean ran = new AtomicBoolean();
            NetnsVanishedException e = assertThrows(NetnsVanishedException.class,
                    () -> enterer.call(found, () -> ran.getAndSet(true)));
            assertTrue(e.getMessage().contains(Long.toString(lab.inode(other))), e.getMessage());
            assertFalse(ran.get(), "nothing ran in the other namespace");
        }
    }

    private static Netns discover(NetnsLab lab, String ns) throws Exception {
        long inode = lab.inode(ns);
        return new NetnsDiscovery(PROC, Path.of("/run/netns")).scan().stream().filter(n -> n.inode() == inode)
                .findFirst().orElseThrow(() -> new AssertionError("discovery did not find " + ns));
    }

    private static long threadNetns() {
        return NetnsDiscovery.readNsInode(Path.of("/proc/thread-self/ns/net"));
    }
}
