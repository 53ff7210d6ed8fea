package dev.podnet.health;

import static dev.podnet.health.HealthCheckerIT.await;
import static dev.podnet.health.HealthCheckerIT.failures;
import static dev.podnet.health.HealthCheckerIT.scrape;
import static dev.podnet.health.HealthCheckerIT.successes;
import static dev.podnet.health.HealthCheckerIT.up;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.netns.Libc;
import dev.podnet.testing.HostPodLink;
import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.Scrape;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * What the checker promises beyond one healthy pod: targets that go leave no series; a pod that never
 * answers, or an address routed into a blackhole, delays no other target; bad inputs and socket errors
 * are failed checks with a reason, never exceptions, and are logged once; the limits skip and ignore
 * instead of queueing; close ends checks in flight at once and leaves no socket open.
 */
class HealthCheckerBoundsIT {
    private static final Duration SECOND = Duration.ofSeconds(1);

    private static HealthTarget target(String key, String ip, CheckKind kind, Duration period, int port, String path) {
        return new HealthTarget(key, new String[] {"task", "it", "pod", key}, InetAddress.ofLiteral(ip), kind, 1, period,
                port, path);
    }

    private static HealthTarget ping(String key, String ip) {
        return target(key, ip, CheckKind.PING, SECOND, 0, "");
    }

    @Test
    void aVanishedTargetLeavesNoSeriesAndARelabelledOneKeepsItsCounts() throws Exception {
        NetnsLab.assumeKernelLab();
        try (NetnsLab lab = new NetnsLab(); HostPodLink link = HostPodLink.create(lab); HealthChecker checker = new HealthChecker()) {
            checker.retain(List.of(ping("a", link.podIp4), ping("b", link.podIp6)));
            await(checker, s -> up(s, "pod", "a") == 1 && up(s, "pod", "b") == 1, "both up");
            checker.retain(List.of(ping("a", link.podIp4)));
            Scrape after = scrape(checker);
            assertTrue(after.all().stream().noneMatch(x -> x.label("pod").equals("b")), "no series of b left:\n" + after.text());
            assertEquals(1, after.value("podnet_health_check_targets"));

            double counted = successes(after, "pod", "a");
            HealthTarget renamed = new HealthTarget("a", new String[] {"task", "it", "pod", "a2"},
                    InetAddress.ofLiteral(link.podIp4), CheckKind.PING, 1, SECOND, 0, "");
            checker.retain(List.of(renamed));
            Scrape relabelled = scrape(checker);
            assertTrue(relabelled.find("podnet_health_checks_total", "pod", "a").isEmpty(), "the old labels are gone");
            assertTrue(successes(relabelled, "pod", "a2") >= counted, "same key, same check: the counts go on");
        }
    }

    @Test
    void aSilentOrBlackholedTargetDelaysNoOther() throws Exception {
        NetnsLab.assumeKernelLab();
        try (NetnsLab lab = new NetnsLab(); HostPodLink link = HostPodLink.create(lab); HealthChecker checker = new HealthChecker()) {
            String blackholed = "198.18." + link.subnet + ".1";
            link.blackhole("198.18." + link.subnet + ".0/24");
            List<String> slow = List.of("silent-ping", "silent-arping", "silent-curl", "blackhole");
            checker.retain(List.of(ping("pod", link.podIp4),
                    ping("silent-ping", link.silentIp4()),
                    target("silent-arping", link.silentIp4(), CheckKind.ARPING, SECOND, 0, ""),
                    target("silent-curl", link.silentIp4(), CheckKind.CURL, SECOND, 80, "/"),
                    ping("blackhole", blackholed)));
            Scrape s0 = await(checker, s -> successes(s, "pod", "pod") >= 1
                    && slow.stream().allMatch(k -> failures(s, "pod", k) >= 1), "every target checked once");
            Thread.sleep(5_000);
            Scrape s1 = scrape(checker);
            double podChecks = successes(s1, "pod", "pod") - successes(s0, "pod", "pod");
            System.out.printf("in 5 s: pod %.0f successes, %.0f failures; ", podChecks,
                    failures(s1, "pod", "pod") - failures(s0, "pod", "pod"));
            assertTrue(podChecks >= 4, "the pod is checked every second: " + podChecks);
            assertEquals(failures(s0, "pod", "pod"), failures(s1, "pod", "pod"));
            for (String k : slow) {
                double failed = failures(s1, "pod", k) - failures(s0, "pod", k);
                System.out.printf("%s %.0f failures (%s); ", k, failed, checker.lastFailure(k));
                assertTrue(failed >= 4, k + " fails every second, one check after the other: " + failed);
                assertEquals(0, up(s1, "pod", k));
            }
            System.out.println();
            assertEquals(0, s1.value("podnet_health_checks_skipped_total"),
                    "a check that timed out has ended when the next is due");
            assertTrue(checker.lastFailure("silent-arping").contains("no ARP reply"), checker.lastFailure("silent-arping"));
        }
    }

    @Test
    void badInputsAreFailedChecksWithAReason() throws Exception {
        try (HealthChecker checker = new HealthChecker()) {
            Duration fast = Duration.ofMillis(200);
            checker.retain(List.of(target("v6-arping", "fd00::1", CheckKind.ARPING, fast, 0, ""),
                    target("port-0", "127.0.0.1", CheckKind.CURL, fast, 0, "/"),
                    target("bad-path", "127.0.0.1", CheckKind.CURL, fast, 80, "/a b")));
            await(checker, s -> Stream.of("v6-arping", "port-0", "bad-path").allMatch(k -> failures(s, "pod", k) >= 2),
                    "each failed twice");
            assertTrue(checker.lastFailure("v6-arping").contains("IPv6"), checker.lastFailure("v6-arping"));
            assertTrue(checker.lastFailure("port-0").contains("port"), checker.lastFailure("port-0"));
            assertTrue(checker.lastFailure("bad-path").contains("path"), checker.lastFailure("bad-path"));
            assertEquals(0, up(scrape(checker), "pod", "port-0"));
        }
    }

    @Test
    void aSocketErrorIsAFailureLoggedOncePerTarget() throws Exception {
        CheckOrigin noRawSockets = new CheckOrigin() {
            @Override
            public <T> T open(Callable<T> opener) throws IOException {
                throw new Libc.ErrnoException("socket(AF_INET, SOCK_RAW, IPPROTO_ICMP)", 1);
            }
        };
        Logger log = Logger.getLogger(HealthChecker.class.getName());
        List<LogRecord> records = new CopyOnWriteArrayList<>();
        Handler capture = new Handler() {
            @Override
            public void publish(LogRecord r) {
                records.add(r);
            }

            @Override
            public void flush() {
            }

            @Override
            public void close() {
            }
        };
        log.addHandler(capture);
        try (HealthChecker checker = new HealthChecker(noRawSockets)) {
            Duration fast = Duration.ofMillis(100);
            checker.retain(List.of(target("x", "192.0.2.10", CheckKind.PING, fast, 0, ""),
                    target("y", "192.0.2.11", CheckKind.PING, fast, 0, "")));
            await(checker, s -> failures(s, "pod", "x") >= 5 && failures(s, "pod", "y") >= 5, "five failures each");
            assertTrue(checker.lastFailure("x").contains("CAP_NET_RAW"), checker.lastFailure("x"));
            assertEquals(2, records.size(), "one line per target: " + records.stream().map(LogRecord::getMessage).toList());
        } finally {
            log.removeHandler(capture);
        }
    }

    @Test
    void overTheLimitsChecksAreSkippedAndTargetsIgnored() throws Exception {
        NetnsLab.assumeKernelLab();
        try (NetnsLab lab = new NetnsLab(); HostPodLink link = HostPodLink.create(lab);
             HealthChecker checker = new HealthChecker(CheckOrigin.own(), 2, 1)) {
            HealthTarget x = ping("silent-x", link.silentIp4());
            HealthTarget y = ping("silent-y", "10.248." + link.subnet + ".98");
            HealthTarget pod = ping("pod", link.podIp4);
            checker.retain(List.of(x, y, pod));
            Scrape s = await(checker, t -> t.value("podnet_health_checks_skipped_total") >= 2,
                    "checks skipped: one permit, two targets that take the whole period");
            assertEquals(2, s.value("podnet_health_check_targets"));
            assertEquals(1, s.value("podnet_health_check_targets_ignored"));
            assertTrue(s.find("podnet_health_checks_total", "pod", "pod").isEmpty(), "the third target is not checked");
            checker.retain(List.of(pod, x, y));
            Scrape again = scrape(checker);
            assertTrue(again.find("podnet_health_checks_total", "pod", "pod").isEmpty(),
                    "targets already checked keep their place whatever the order");
        }
    }

    @Test
    void closeEndsChecksInFlightAtOnceAndClosesTheirSockets() throws Exception {
        NetnsLab.assumeKernelLab();
        try (NetnsLab lab = new NetnsLab(); HostPodLink link = HostPodLink.create(lab)) {
            // NIO keeps one socket for the JVM's lifetime (the target of its pre-close dup2), made with the
            // first channel: have it before counting
            SocketChannel.open().close();
            int before = sockets();
            HealthChecker checker = new HealthChecker();
            Duration period = Duration.ofSeconds(2);
            List<HealthTarget> silent = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                String ip = "10.248." + link.subnet + "." + (90 + i);
                silent.add(target("ping-" + i, ip, CheckKind.PING, period, 0, ""));
                silent.add(target("arping-" + i, ip, CheckKind.ARPING, period, 0, ""));
                silent.add(target("curl-" + i, ip, CheckKind.CURL, period, 80, "/"));
            }
            checker.retain(silent);
            Thread.sleep(2_500); // every target has a check in flight, each waiting up to 2 s
            int during = sockets();
            long start = System.nanoTime();
            checker.close();
            double seconds = (System.nanoTime() - start) / 1e9;
            int after = sockets();
            System.out.printf("sockets: %d before, %d with checks in flight, %d after a close of %.3f s%n", before, during,
                    after, seconds);
            assertTrue(during > before, "checks in flight hold sockets");
            assertTrue(seconds < 1, "close did not wait for the checks' 2 s timeouts: " + seconds);
            assertEquals(before, after, "every socket closed");
            assertTrue(scrape(checker).find("podnet_health_checks_total").isEmpty());
        }
    }

    /** Open sockets of this process. */
    private static int sockets() throws IOException {
        int n = 0;
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
            for (Path fd : fds.toList()) {
                try {
                    if (Files.readSymbolicLink(fd).toString().startsWith("socket:")) {
                        n++;
                    }
                } catch (IOException e) {
                    // closed while we looked
                }
            }
        }
        return n;
    }
}
