package dev.podnet.health;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.podnet.netns.Netns;
import dev.podnet.netns.NetnsEnterer;
import dev.podnet.probe.SampleBuffer;
import dev.podnet.probe.SnapshotAssembler;
import dev.podnet.testing.HostPodLink;
import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.NetnsSockets;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.Sh;
import io.prometheus.metrics.expositionformats.PrometheusTextFormatWriter;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Health checks from the test's own namespace (the node) to a pod-like namespace a veth away. Each kind
 * is up, goes down once nftables in the pod drops its probes for failureThreshold checks in a row (and
 * not after the first), and recovers when the rule goes; the peer tool (ping, arping, curl) run from the
 * node at the same moments says the same. The series pass promtool.
 */
class HealthCheckerIT {
    static final Duration PERIOD = Duration.ofSeconds(1);
    static final int THRESHOLD = 2;
    static final int HTTP_PORT = 8480;

    /** One way to check the pod, with the nftables rule that silences it and the peer tool that agrees. */
    enum Case {
        PING4(CheckKind.PING, false, "ip", "icmp type echo-request drop"),
        PING6(CheckKind.PING, true, "ip6", "icmpv6 type echo-request drop"),
        ARPING(CheckKind.ARPING, false, "arp", "drop"),
        CURL4(CheckKind.CURL, false, "inet", "tcp dport " + HTTP_PORT + " drop"),
        CURL6(CheckKind.CURL, true, "inet", "tcp dport " + HTTP_PORT + " drop");

        final CheckKind kind;
        final boolean v6;
        final String family;
        final String rule;

        Case(CheckKind kind, boolean v6, String family, String rule) {
            this.kind = kind;
            this.v6 = v6;
            this.family = family;
            this.rule = rule;
        }
    }

    @ParameterizedTest
    @EnumSource(Case.class)
    void upDownAfterThresholdFailuresAndBackAsThePeerToolSays(Case c) throws Exception {
        NetnsLab.assumeKernelLab();
        assumeTrue(Sh.available("nft"), "needs nft");
        try (NetnsLab lab = new NetnsLab(); HostPodLink link = HostPodLink.create(lab);
             HttpStandIn http = c.kind == CheckKind.CURL ? HttpStandIn.start(lab, link.pod, c.v6 ? link.podIp6 : link.podIp4)
                     : null;
             HealthChecker checker = new HealthChecker()) {
            String ip = c.v6 ? link.podIp6 : link.podIp4;
            String[] labels = {"task", "it", "namespace", "shop", "pod", "web", "ipfamily", c.v6 ? "ipv6" : "ipv4"};
            checker.retain(List.of(new HealthTarget("it/web/" + c, labels, InetAddress.ofLiteral(ip), c.kind, THRESHOLD,
                    PERIOD, HTTP_PORT, "/healthz")));

            Scrape up = await(checker, s -> up(s) == 1, c + " up");
            assertTrue(successes(up) >= 1);
            boolean peerUp = peer(c, link, ip);
            assertTrue(peerUp, "the peer tool reaches the pod too");

            String table = lab.prefix() + "drop";
            lab.nft(link.pod, c.family, table, """
                    table %s %s {
                        chain in {
                            type filter hook input priority 0; policy accept;
                            %s
                        }
                    }
                    """.formatted(c.family, table, c.rule));
            double before = failures(up);
            List<double[]> seen = new ArrayList<>(); // {failures, up}, as read together
            Scrape down = await(checker, s -> {
                seen.add(new double[] {failures(s), up(s)});
                return up(s) == 0;
            }, c + " down");
            boolean peerDown = !peer(c, link, ip);
            assertTrue(failures(down) >= before + THRESHOLD, "down only after " + THRESHOLD + " failures: " + down.text());
            assertTrue(seen.stream().anyMatch(o -> o[0] == before + 1 && o[1] == 1),
                    "up stayed 1 after the first failure; (failures, up) seen: " + describe(seen));
            assertTrue(seen.stream().noneMatch(o -> o[0] < before + THRESHOLD && o[1] == 0), "down too early: " + describe(seen));
            assertTrue(peerDown, "the peer tool does not reach the pod either");

            lab.exec(link.pod, "nft", "delete", "table", c.family, table);
            Scrape back = await(checker, s -> up(s) == 1, c + " back up");
            boolean peerBack = peer(c, link, ip);
            assertTrue(peerBack, "the peer tool reaches the pod again");
            assertTrue(successes(back) > successes(down));
            System.out.printf("%s: podnet up/down/up with failures %.0f -> %.0f -> %.0f; peer tool %s/%s/%s%s%n", c,
                    before, failures(down), failures(back), peerUp, !peerDown, peerBack,
                    http == null ? "" : "; HTTP requests served with 503: " + http.requests.get());
            if (http != null) {
                assertTrue(http.requests.get() >= 1, "the check sent its GET, answered with 503, and counted healthy");
            }
            assertEquals("", promtool(back.text()), "promtool findings");
        }
    }

    /**
     * An agent in a namespace of its own sends from the node's through {@link CheckOrigin#of}: here a
     * "node" namespace joined to the pod, while the test's own namespace routes the pod's subnet into a
     * blackhole, so every kind is up only if its sockets (and the route lookup of ARPING) were made in there.
     */
    @Test
    void checksSentFromAnotherNamespace() throws Exception {
        NetnsLab.assumeKernelLab();
        int n = ThreadLocalRandom.current().nextInt(1, 255);
        String v4 = "198.19." + n + ".";
        String v6 = "fd46:1:" + Integer.toHexString(n) + "::";
        List<List<String>> undo = new ArrayList<>();
        try (NetnsLab lab = new NetnsLab(); NetnsEnterer enterer = new NetnsEnterer(Path.of("/proc"))) {
            for (String cidr : List.of(v4 + "0/24", v6 + "/64")) {
                Sh.run("ip", "route", "add", "blackhole", cidr);
                undo.add(List.of("ip", "route", "del", "blackhole", cidr));
            }
            String node = lab.add("node");
            String pod = lab.add("pod");
            lab.veth(node, v4 + "1/24", pod, v4 + "2/24");
            lab.exec(node, "ip", "-6", "addr", "add", v6 + "1/64", "dev", lab.lastVeth()[0], "nodad");
            lab.exec(pod, "ip", "-6", "addr", "add", v6 + "2/64", "dev", lab.lastVeth()[1], "nodad");
            Netns nodeNetns = new Netns(lab.inode(node), node, List.of(), Path.of("/run/netns", node), false);
            try (HttpStandIn http = HttpStandIn.start(lab, pod, v6 + "2");
                 HealthChecker checker = new HealthChecker(CheckOrigin.of(enterer, nodeNetns))) {
                List<HealthTarget> targets = new ArrayList<>();
                for (Case c : Case.values()) {
                    targets.add(new HealthTarget(c.name(), new String[] {"pod", c.name()},
                            InetAddress.ofLiteral(c.v6 ? v6 + "2" : v4 + "2"), c.kind, 1, PERIOD, HTTP_PORT, "/"));
                }
                targets.removeIf(t -> t.key().equals("CURL4")); // the stand-in listens on the IPv6 address
                checker.retain(targets);
                await(checker, s -> targets.stream().allMatch(t -> up(s, "pod", t.key()) == 1),
                        "every kind up from the node namespace");
            }
        } finally {
            undo.forEach(Sh::tryRun);
        }
    }

    static Scrape scrape(HealthChecker checker) {
        SampleBuffer out = new SampleBuffer(new String[0], inode -> new String[0]);
        checker.write(out);
        ByteArrayOutputStream text = new ByteArrayOutputStream();
        try {
            PrometheusTextFormatWriter.create().write(text, SnapshotAssembler.assemble(out.samples()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return new Scrape(text.toString(StandardCharsets.UTF_8));
    }

    /** Scrapes every 50 ms until {@code ready} holds, at most 20 s. */
    static Scrape await(HealthChecker checker, Predicate<Scrape> ready, String what) throws InterruptedException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        Scrape s = scrape(checker);
        while (!ready.test(s)) {
            if (System.nanoTime() > end) {
                throw new AssertionError("not " + what + " within 20 s:\n" + s.text());
            }
            Thread.sleep(50);
            s = scrape(checker);
        }
        return s;
    }

    static double up(Scrape s, String... match) {
        return s.maybe("podnet_health_check_up", match).orElse(-1.0);
    }

    static double successes(Scrape s, String... match) {
        return s.sum("podnet_health_checks_total", with(match, "result", "success"));
    }

    static double failures(Scrape s, String... match) {
        return s.sum("podnet_health_checks_total", with(match, "result", "failure"));
    }

    static String[] with(String[] match, String... more) {
        String[] all = Arrays.copyOf(match, match.length + more.length);
        System.arraycopy(more, 0, all, match.length, more.length);
        return all;
    }

    private static String describe(List<double[]> seen) {
        StringBuilder b = new StringBuilder();
        double[] last = null;
        for (double[] o : seen) {
            if (last == null || o[0] != last[0] || o[1] != last[1]) {
                b.append(String.format("(%.0f, %.0f) ", o[0], o[1]));
            }
            last = o;
        }
        return b.toString();
    }

    /** The same check by the usual tool, from the node: ping, arping on the node's end of the link, curl. */
    static boolean peer(Case c, HostPodLink link, String ip) {
        List<String> command = switch (c) {
            case PING4 -> List.of("ping", "-4", "-c1", "-W1", ip);
            case PING6 -> List.of("ping", "-6", "-c1", "-W1", ip);
            case ARPING -> List.of("arping", "-c1", "-w1", "-I", link.hostDevice, ip);
            case CURL4 -> List.of("curl", "-s", "-o", "/dev/null", "-m", "1", "http://" + ip + ":" + HTTP_PORT + "/healthz");
            case CURL6 -> List.of("curl", "-s", "-g", "-o", "/dev/null", "-m", "1", "http://[" + ip + "]:" + HTTP_PORT + "/healthz");
        };
        assumeTrue(Sh.available(command.getFirst()), "needs " + command.getFirst() + " as the peer tool");
        return Sh.tryRun(command).exit() == 0;
    }

    static String promtool(String text) throws Exception {
        assumeTrue(Sh.available("promtool"), "needs promtool (prometheus package)");
        Process p = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        try (OutputStream in = p.getOutputStream()) {
            in.write(text.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        return out;
    }

    /** A pod's HTTP server that answers every request with 503: any status counts as healthy. */
    static final class HttpStandIn implements AutoCloseable {
        final AtomicInteger requests = new AtomicInteger();
        private final ServerSocket server;

        private HttpStandIn(ServerSocket server) {
            this.server = server;
            Thread.ofPlatform().daemon(true).start(this::serve);
        }

        static HttpStandIn start(NetnsLab lab, String ns, String ip) throws IOException {
            return new HttpStandIn(NetnsSockets.listen(lab, ns, ip, HTTP_PORT));
        }

        private void serve() {
            while (!server.isClosed()) {
                try (Socket s = server.accept()) {
                    s.setSoTimeout(2000);
                    byte[] head = new byte[1024];
                    if (s.getInputStream().read(head) > 0) {
                        requests.incrementAndGet();
                    }
                    s.getOutputStream().write("HTTP/1.0 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n"
                            .getBytes(StandardCharsets.US_ASCII));
                } catch (IOException e) {
                    // closed, or a client that went away
                }
            }
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
