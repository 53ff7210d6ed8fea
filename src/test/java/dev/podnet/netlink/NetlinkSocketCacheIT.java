package dev.podnet.netlink;

import static dev.podnet.testing.HeldResources.awaitLinkGone;
import static dev.podnet.testing.HeldResources.linkExists;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.netns.Libc;
import dev.podnet.netns.Netns;
import dev.podnet.netns.NetnsEnterer;
import dev.podnet.netns.NetnsVanishedException;
import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.Sh;
import java.io.IOException;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The socket cache on real namespaces: one socket per namespace reused with fresh answers, sockets of
 * deleted or undiscovered namespaces closed (which releases the namespace: its veth end in the hub goes
 * away), and a broken socket replaced.
 */
class NetlinkSocketCacheIT {
    private static final MethodHandle DUP2 = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("dup2").orElseThrow(),
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    @BeforeAll
    static void root() {
        NetnsLab.assumeKernelLab();
    }

    @Test
    void eachNamespaceKeepsItsSocketAndEveryDumpSeesTheNamespaceAsItIsNow() throws Exception {
        try (NetnsLab lab = new NetnsLab(); NetnsEnterer enterer = new NetnsEnterer(Path.of("/proc"));
             NetlinkSocketCache cache = new NetlinkSocketCache(enterer, NetlinkSocket.NETLINK_ROUTE)) {
            Netns a = named(lab, lab.add("ra"));
            Netns b = named(lab, lab.add("rb"));
            NetlinkSocket firstA = cache.withSocket(a, socket -> socket);
            NetlinkSocket firstB = cache.withSocket(b, socket -> socket);
            assertNotSame(firstA, firstB);
            assertEquals(2, cache.size());
            for (int i = 0; i < 3; i++) {
                int round = i;
                Sh.run("ip", "-n", a.name(), "link", "add", "new" + round, "type", "veth", "peer", "name", "peer" + round);
                Map<Integer, String> linksA = cache.withSocket(a, socket -> {
                    assertSame(firstA, socket, "round " + round + " reuses the first socket");
                    return Rtnetlink.linkNames(socket);
                });
                Map<Integer, String> linksB = cache.withSocket(b, socket -> {
                    assertSame(firstB, socket);
                    return Rtnetlink.linkNames(socket);
                });
                assertEquals(1 + 2 * (round + 1), linksA.size(), "lo and the veth pairs added so far: " + linksA);
                assertTrue(linksA.containsValue("new" + round), "the device added just now: " + linksA);
                assertEquals(List.of("lo"), List.copyOf(linksB.values()), "b's own devices, not a's");
            }
            assertEquals(2, cache.size());
        }
    }

    @Test
    void deletedNamespaceIsVanishedAndItsSocketClosedWhichReleasesTheNamespace() throws Exception {
        try (NetnsLab lab = new NetnsLab(); NetnsEnterer enterer = new NetnsEnterer(Path.of("/proc"));
             NetlinkSocketCache cache = new NetlinkSocketCache(enterer, NetlinkSocket.NETLINK_ROUTE)) {
            String hub = lab.add("hub");
            Netns pod = named(lab, lab.add("pod"));
            lab.veth(pod.name(), "10.242.1.2/24", hub, "10.242.1.1/24");
            String hubEnd = lab.lastVeth()[1];
            cache.withSocket(pod, Rtnetlink::qdiscs);

            lab.delete(pod.name());
            // Our socket is the namespace's last reference: it lives on, and so does the veth pair.
            assertTrue(linkExists(hub, hubEnd), "the cached socket keeps the deleted namespace alive");
            assertThrows(NetnsVanishedException.class, () -> cache.withSocket(pod, Rtnetlink::qdiscs));
            assertEquals(0, cache.size());
            assertTrue(awaitLinkGone(hub, hubEnd), "closing the socket released the namespace and its veth");
        }
    }

    @Test
    void retainOnlyClosesTheSocketsOfNamespacesNoLongerDiscovered() throws Exception {
        try (NetnsLab lab = new NetnsLab(); NetnsEnterer enterer = new NetnsEnterer(Path.of("/proc"));
             NetlinkSocketCache cache = new NetlinkSocketCache(enterer, NetlinkSocket.NETLINK_ROUTE)) {
            String hub = lab.add("hub");
            Netns kept = named(lab, lab.add("kept"));
            Netns gone = named(lab, lab.add("gone"));
            lab.veth(gone.name(), "10.242.2.2/24", hub, "10.242.2.1/24");
            String hubEnd = lab.lastVeth()[1];
            NetlinkSocket keptSocket = cache.withSocket(kept, socket -> socket);
            cache.withSocket(gone, socket -> socket);
            lab.delete(gone.name());

            cache.retainOnly(List.of(kept));
            assertEquals(1, cache.size());
            assertTrue(awaitLinkGone(hub, hubEnd), "the undiscovered namespace was released");
            assertSame(keptSocket, cache.withSocket(kept, socket -> socket), "the live namespace keeps its socket");
        }
    }

    @Test
    void pathThatNowLeadsToAnotherNamespaceIsVanishedAndTheSocketClosed() throws Exception {
        try (NetnsLab lab = new NetnsLab(); NetnsEnterer enterer = new NetnsEnterer(Path.of("/proc"));
             NetlinkSocketCache cache = new NetlinkSocketCache(enterer, NetlinkSocket.NETLINK_ROUTE)) {
            Netns wanted = named(lab, lab.add("wanted"));
            Netns other = named(lab, lab.add("other"));
            cache.withSocket(wanted, Rtnetlink::qdiscs);
            // A reused pid looks like this: the same discovery record, its file leading elsewhere.
            Netns stale = new Netns(wanted.inode(), wanted.name(), List.of(), other.mount(), false);
            NetnsVanishedException e = assertThrows(NetnsVanishedException.class,
                    () -> cache.withSocket(stale, Rtnetlink::qdiscs));
            assertTrue(e.getMessage().contains(String.valueOf(other.inode())), e.getMessage());
            assertEquals(0, cache.size(), "the socket was closed, not kept for a namespace we cannot name");
        }
    }

    @Test
    void aSocketThatBreaksOrWhoseDumpFailsIsReplacedByANewOne() throws Throwable {
        try (NetnsLab lab = new NetnsLab(); NetnsEnterer enterer = new NetnsEnterer(Path.of("/proc"));
             NetlinkSocketCache cache = new NetlinkSocketCache(enterer, NetlinkSocket.NETLINK_ROUTE)) {
            Netns ns = named(lab, lab.add("brk"));
            NetlinkSocket first = cache.withSocket(ns, socket -> socket);

            // The descriptor now names /dev/null: the next dump fails (ENOTSOCK) as a closed socket would.
            int devNull = Libc.open("/dev/null", Libc.O_RDONLY);
            try {
                assertEquals(first.fd(), (int) DUP2.invokeExact(devNull, first.fd()));
            } finally {
                Libc.close(devNull);
            }
            IOException broken = assertThrows(IOException.class, () -> cache.withSocket(ns, Rtnetlink::qdiscs));
            assertTrue(broken.getMessage().contains("send(RTM_GETQDISC)"), broken.getMessage());
            assertEquals(0, cache.size(), "the broken socket is not kept");

            NetlinkSocket second = cache.withSocket(ns, socket -> {
                assertTrue(Rtnetlink.linkNames(socket).containsValue("lo"), "the new socket answers");
                return socket;
            });
            assertNotSame(first, second);

            assertThrows(MalformedNetlinkException.class, () -> cache.withSocket(ns, socket -> {
                socket.dump(Rtnetlink.LINK_DUMP, new byte[Rtnetlink.IFINFOMSG_BYTES], payload -> {
                    throw new MalformedNetlinkException("a parser rejected the answer");
                });
                return null;
            }));
            assertEquals(0, cache.size(), "a socket left mid-dump is not reused");
            assertNotSame(second, cache.withSocket(ns, socket -> socket));
        }
    }

    @Test
    void noSocketIsKeptWhereThePreconditionDoesNotHold() throws Exception {
        try (NetnsLab lab = new NetnsLab(); NetnsEnterer enterer = new NetnsEnterer(Path.of("/proc"));
             NetlinkSocketCache cache = new NetlinkSocketCache(enterer, NetlinkSocket.NETLINK_SOCK_DIAG)) {
            Netns ns = named(lab, lab.add("notcp"));
            assertNull(cache.withSocket(ns, TcpSocketPresence::anyHere, SockDiag::tcpSummary));
            assertEquals(0, cache.size());
        }
    }

    @Test
    void closeClosesEverySocketAndRefusesNewWork() throws Exception {
        try (NetnsLab lab = new NetnsLab(); NetnsEnterer enterer = new NetnsEnterer(Path.of("/proc"))) {
            Netns a = named(lab, lab.add("ca"));
            Netns b = named(lab, lab.add("cb"));
            NetlinkSocketCache cache = new NetlinkSocketCache(enterer, NetlinkSocket.NETLINK_ROUTE);
            NetlinkSocket socketA = cache.withSocket(a, socket -> socket);
            cache.withSocket(b, socket -> socket);
            cache.close();
            assertEquals(0, cache.size());
            assertThrows(IllegalStateException.class, () -> Rtnetlink.qdiscs(socketA), "closed, not just forgotten");
            assertThrows(IllegalStateException.class, () -> cache.withSocket(a, socket -> socket));
        }
    }

    static Netns named(NetnsLab lab, String name) throws IOException {
        return new Netns(lab.inode(name), name, List.of(), Path.of("/run/netns", name), false);
    }
}
