package dev.podnet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.probe.ProbeCatalog;
import dev.podnet.testing.FakeProbe;
import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.TestAgent;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The engine's promises, through the real agent: namespaces vanishing mid-collection are counted, not
 * errors; a failing or unavailable probe leaves the others working; a late probe serves its last values
 * without holding up the scrape; scrapes within the minimum interval share a collection.
 */
class EngineGuaranteesIT {

    @Test
    void namespaceDeletedDuringCollectionCostsOneVanishedNotAFailedScrape() throws Exception {
        NetnsLab.assumeKernelLab();
        try (NetnsLab lab = new NetnsLab()) {
            String doomed = lab.add("doomed");
            String kept = lab.add("kept");
            long doomedInode = lab.inode(doomed);
            // Runs before netdev reads anything in the doomed namespace: it deletes the namespace after
            // discovery found it, then reads its files as a probe would.
            FakeProbe deleter = new FakeProbe("deleter", (netns, reader, out) -> {
                if (netns.inode() == doomedInode) {
                    lab.delete(doomed);
                    reader.read("net/dev");
                }
            });
            ProbeCatalog catalog = ProbeCatalog.standard().register(() -> deleter);
            try (TestAgent agent = TestAgent.start("probes: [deleter, netdev]\n", catalog)) {
                Scrape scrape = agent.scrape();
                assertEquals(1, scrape.value("podnet_netns_vanished_total"), "one namespace vanished");
                assertEquals(0, scrape.value("podnet_probe_errors_total", "probe", "deleter"), "vanishing is no error");
                assertTrue(scrape.maybe("podnet_netdev_receive_bytes_total", "netns", String.valueOf(lab.inode(kept)),
                        "device", "lo").isPresent(), "the other namespaces are still reported");
                Scrape next = agent.scrape();
                assertEquals(1, next.value("podnet_netns_vanished_total"), "gone for good: not counted again");
                assertTrue(next.find("podnet_netns_info", "netns", String.valueOf(doomedInode)).isEmpty());
            }
        }
    }

    @Test
    void namespaceWhoseMountIsRemovedMidCollectionIsCountedVanishedNotAnError() throws Exception {
        NetnsLab.assumeKernelLab();
        try (NetnsLab lab = new NetnsLab()) {
            String doomed = lab.add("unmounted");
            long doomedInode = lab.inode(doomed);
            // After discovery found it, the mount goes and the file stays (ip netns del's first step); then
            // the namespace's files are read as a procfs probe reads them.
            FakeProbe unmounter = new FakeProbe("unmounter", (netns, reader, out) -> {
                if (netns.inode() == doomedInode) {
                    lab.unmount(doomed);
                    reader.read("net/dev");
                }
            });
            ProbeCatalog catalog = ProbeCatalog.standard().register(() -> unmounter);
            try (TestAgent agent = TestAgent.start("probes: [unmounter]\n", catalog)) {
                Scrape scrape = agent.scrape();
                assertEquals(1, scrape.value("podnet_netns_vanished_total"), "one namespace vanished");
                assertEquals(0, scrape.value("podnet_probe_errors_total", "probe", "unmounter"), "vanishing is no error");
            }
        }
    }

    @Test
    void processNamespaceWhoseLastProcessExitsMidCollectionIsCountedVanished() throws Exception {
        NetnsLab.assumeKernelLab();
        try (NetnsLab lab = new NetnsLab()) {
            // An unnamed namespace held only by one process, like a container's.
            Process holder = new ProcessBuilder("unshare", "--net", "sleep", "600").start();
            long inode = waitForNetnsInode(holder.pid());
            FakeProbe killer = new FakeProbe("killer", (netns, reader, out) -> {
                if (netns.inode() == inode) {
                    holder.destroyForcibly().waitFor();
                    reader.read("net/snmp");
                }
            });
            try (TestAgent agent = TestAgent.start("probes: [killer, netdev]\n", ProbeCatalog.standard().register(() -> killer))) {
                Scrape scrape = agent.scrape();
                assertEquals(1, scrape.value("podnet_netns_vanished_total"));
                assertTrue(scrape.value("podnet_netns_discovered") >= 1);
            } finally {
                holder.destroyForcibly();
            }
        }
    }

    @Test
    void failingAndUnavailableProbesLeaveTheOthersWorking() throws Exception {
        FakeProbe broken = new FakeProbe("broken", (netns, reader, out) -> {
            throw new IllegalStateException("boom in " + netns.inode());
        });
        FakeProbe missing = new FakeProbe("missing", (n, r, o) -> { }, "tracepoint tcp/nothing does not exist");
        ProbeCatalog catalog = ProbeCatalog.standard().register(() -> broken).register(() -> missing);
        try (TestAgent agent = TestAgent.start("probes: [broken, missing, netdev]\n", catalog)) {
            Scrape scrape = agent.scrape();
            assertTrue(scrape.value("podnet_probe_errors_total", "probe", "broken") >= 1);
            assertEquals(1, scrape.value("podnet_probe_up", "probe", "broken"), "a probe that errors is still running");
            assertEquals(0, scrape.value("podnet_probe_up", "probe", "missing"));
            assertEquals(1, scrape.value("podnet_probe_up", "probe", "netdev"));
            assertFalse(scrape.find("podnet_netdev_receive_bytes_total").isEmpty(), "netdev still reports");
            String status = agent.get("/status");
            assertTrue(status.contains("\"UNAVAILABLE\"") && status.contains("tracepoint tcp/nothing does not exist"), status);
            assertTrue(status.contains("boom in"), "the last error is shown: " + status);
        }
    }

    @Test
    void lateProbeServesItsLastValuesAndDoesNotHoldTheScrape() throws Exception {
        CountDownLatch release = new CountDownLatch(0);
        CountDownLatch[] gate = {release};
        FakeProbe slow = new FakeProbe("slow", (netns, reader, out) -> {
            gate[0].await(30, TimeUnit.SECONDS);
            out.gauge("podnet_test_generation", "which collection produced this", generation[0]);
        });
        ProbeCatalog catalog = ProbeCatalog.standard().register(() -> slow);
        try (TestAgent agent = TestAgent.start("probes: [slow, netdev]\nprobeDeadline: 300ms\n", catalog)) {
            generation[0] = 1;
            Scrape first = agent.scrape();
            assertFalse(first.find("podnet_test_generation").isEmpty(), "first collection completes in time");
            gate[0] = new CountDownLatch(1);      // from now on the probe hangs
            generation[0] = 2;
            long start = System.nanoTime();
            Scrape second = agent.scrape();
            double seconds = (System.nanoTime() - start) / 1e9;
            assertTrue(seconds < 20, "the scrape returned although the probe hangs");
            assertTrue(second.find("podnet_test_generation").stream().allMatch(s -> s.value() == 1),
                    "the late probe's previous values are served");
            assertEquals(1, second.value("podnet_probe_late_total", "probe", "slow"));
            gate[0].countDown();
        }
    }

    private static final int[] generation = {0};

    @Test
    void scrapesWithinTheMinimumIntervalShareOneCollection() throws Exception {
        FakeProbe counting = new FakeProbe("counting", (netns, reader, out) -> { });
        ProbeCatalog catalog = ProbeCatalog.standard().register(() -> counting);
        try (TestAgent agent = TestAgent.start("probes: [counting]\nminInterval: 1h\n", catalog)) {
            agent.scrape();
            int afterFirst = counting.calls.get();
            agent.scrape();
            agent.scrape();
            assertTrue(afterFirst >= 1);
            assertEquals(afterFirst, counting.calls.get(), "no new collection within minInterval");
        }
    }

    static long waitForNetnsInode(long pid) throws Exception {
        java.nio.file.Path link = java.nio.file.Path.of("/proc/" + pid + "/ns/net");
        long self = inodeOf(java.nio.file.Path.of("/proc/self/ns/net"));
        for (int i = 0; i < 100; i++) {
            long inode = inodeOf(link);
            if (inode > 0 && inode != self) {
                return inode;
            }
            Thread.sleep(20);
        }
        throw new AssertionError("process " + pid + " never entered its own namespace");
    }

    private static long inodeOf(java.nio.file.Path link) {
        try {
            String t = java.nio.file.Files.readSymbolicLink(link).toString();
            return Long.parseLong(t.substring(t.indexOf('[') + 1, t.indexOf(']')));
        } catch (Exception e) {
            return -1;
        }
    }
}
