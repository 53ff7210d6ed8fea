package dev.podnet.probe.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.Sh;
import dev.podnet.testing.TestAgent;
import java.net.ConnectException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** tcpreset and tcpconn against real connections between two fresh namespaces (nothing else talks TCP there). */
@Timeout(120)
class TcpResetAndConnProbeIT {
    private static final int CLOSED_PORT = 5999;
    private static final int OPEN_PORT = 5202;

    @BeforeAll
    static void kernel() {
        BpfProbeLab.assumeBpf();
    }

    @Test
    void connectingToAClosedPortIsASentResetThereAndAReceivedResetAndFailedConnectHere() throws Exception {
        try (NetnsLab lab = new NetnsLab(); TestAgent agent = TestAgent.start("probes: [tcpreset, tcpconn]\n")) {
            String[] ns = BpfProbeLab.pair(lab, 2);
            String client = BpfProbeLab.netns(lab, ns[0]);
            String server = BpfProbeLab.netns(lab, ns[1]);
            assertThrows(ConnectException.class, () -> BpfProbeLab.connect(lab, ns[0], "10.212.2.2", CLOSED_PORT));

            Scrape scrape = BpfProbeLab.awaitScrape(agent,
                    s -> s.sum("podnet_tcp_connect_failures_total", "netns", client) >= 1, "connect failure");
            assertEquals(1, scrape.value("podnet_tcp_resets_total", "netns", server, "direction", "sent", "state", "NO_SOCKET"),
                    "the server's kernel answered the SYN with a reset, no socket involved:\n" + resets(scrape));
            assertEquals(1, scrape.value("podnet_tcp_resets_total", "netns", client, "direction", "received", "state", "SYN_SENT"),
                    "the client got it while connecting:\n" + resets(scrape));
            assertEquals(2, scrape.sum("podnet_tcp_resets_total", "netns", client) + scrape.sum("podnet_tcp_resets_total", "netns", server),
                    "nothing else reset:\n" + resets(scrape));
            assertEquals(1, scrape.value("podnet_tcp_connect_failures_total", "netns", client));
            assertEquals(0, scrape.sum("podnet_tcp_connect_failures_total", "netns", server));
            assertEquals(0, scrape.sum("podnet_tcp_connections_opened_total", "netns", client), "refused is not opened");
        }
    }

    @Test
    void anOpenedAndClosedConnectionIsActiveHerePassiveThereWithItsLifetime() throws Exception {
        try (NetnsLab lab = new NetnsLab(); TestAgent agent = TestAgent.start("""
                probes: [tcpconn, tcpreset]
                probeSettings: {tcpconn: {perPodHistograms: true}}
                """)) {
            String[] ns = BpfProbeLab.pair(lab, 3);
            String client = BpfProbeLab.netns(lab, ns[0]);
            String server = BpfProbeLab.netns(lab, ns[1]);
            try (ServerSocket listener = BpfProbeLab.listen(lab, ns[1], "10.212.3.2", OPEN_PORT)) {
                try (Socket connection = BpfProbeLab.connect(lab, ns[0], "10.212.3.2", OPEN_PORT);
                     Socket accepted = listener.accept()) {
                    connection.getOutputStream().write(42);
                    assertEquals(42, accepted.getInputStream().read());
                    Thread.sleep(20); // a lifetime that is surely not in the first buckets
                }
            }
            Scrape scrape = BpfProbeLab.awaitScrape(agent,
                    s -> s.sum("podnet_tcp_connection_duration_seconds_count", "netns", client) >= 1
                            && s.sum("podnet_tcp_connection_duration_seconds_count", "netns", server) >= 1,
                    "both ends closed");
            assertEquals(1, scrape.value("podnet_tcp_connections_opened_total", "netns", client, "direction", "active"));
            assertEquals(1, scrape.value("podnet_tcp_connections_opened_total", "netns", server, "direction", "passive"));
            assertEquals(0, scrape.sum("podnet_tcp_connections_opened_total", "netns", client, "direction", "passive"));
            assertEquals(0, scrape.sum("podnet_tcp_connections_opened_total", "netns", server, "direction", "active"));
            assertEquals(1, scrape.value("podnet_tcp_connection_duration_seconds_count", "netns", client, "direction", "active"));
            assertEquals(1, scrape.value("podnet_tcp_connection_duration_seconds_count", "netns", server, "direction", "passive"));
            double lifetime = scrape.value("podnet_tcp_connection_duration_seconds_sum", "netns", client, "direction", "active");
            assertTrue(lifetime >= 0.020 && lifetime < 60, "the client's connection lived " + lifetime + " s");
            // log2 buckets: 1 us, 2 us, ... ; the one lifetime is below le=2^15 us (32.8 ms) only if it was short
            assertEquals(0, scrape.value("podnet_tcp_connection_duration_seconds_bucket", "netns", client,
                    "direction", "active", "le", "0.016384"), "not shorter than 20 ms");
            assertEquals(1, scrape.value("podnet_tcp_connection_duration_seconds_bucket", "netns", client,
                    "direction", "active", "le", "+Inf"));
            assertEquals(0, scrape.sum("podnet_tcp_connect_failures_total", "netns", client));
            assertEquals(0, scrape.sum("podnet_tcp_resets_total", "netns", client), "a clean close resets nothing");
            assertTrue(scrape.value("podnet_bpf_map_max_entries", "probe", "tcpconn", "map", "open_connections") == 65536);
            assertPromtoolAccepts(scrape.text());
        }
    }

    /**
     * By default the lifetimes are one histogram per direction for the node (other tests' connections may
     * be in it too), while the counters stay per namespace.
     */
    @Test
    void byDefaultLifetimesAreNodeWideAndTheCountersPerNamespace() throws Exception {
        try (NetnsLab lab = new NetnsLab(); TestAgent agent = TestAgent.start("probes: [tcpconn]\n")) {
            String[] ns = BpfProbeLab.pair(lab, 7);
            String client = BpfProbeLab.netns(lab, ns[0]);
            String server = BpfProbeLab.netns(lab, ns[1]);
            Scrape before = agent.scrape();
            try (ServerSocket listener = BpfProbeLab.listen(lab, ns[1], "10.212.7.2", OPEN_PORT)) {
                try (Socket connection = BpfProbeLab.connect(lab, ns[0], "10.212.7.2", OPEN_PORT);
                     Socket accepted = listener.accept()) {
                    connection.getOutputStream().write(42);
                    assertEquals(42, accepted.getInputStream().read());
                }
            }
            Scrape scrape = BpfProbeLab.awaitScrape(agent,
                    s -> lifetimes(s, "active") > lifetimes(before, "active") && lifetimes(s, "passive") > lifetimes(before, "passive"),
                    "both ends closed");
            assertEquals(1, scrape.value("podnet_tcp_connections_opened_total", "netns", client, "direction", "active"));
            assertEquals(1, scrape.value("podnet_tcp_connections_opened_total", "netns", server, "direction", "passive"));
            List<Scrape.Series> counts = scrape.find("podnet_tcp_connection_duration_seconds_count");
            assertTrue(counts.stream().allMatch(s -> s.label("netns").isEmpty() && s.label("pod").isEmpty()),
                    "no namespace labels on the lifetimes: " + counts);
            assertEquals(List.of("active", "passive"), counts.stream().map(s -> s.label("direction")).sorted().toList());
        }
    }

    /** The node-wide lifetime count of one direction, 0 before the first connection closed. */
    private static double lifetimes(Scrape s, String direction) {
        return s.maybe("podnet_tcp_connection_duration_seconds_count", "netns", "", "direction", direction).orElse(0.0);
    }

    @Test
    void entriesOfDeletedNamespacesAreSweptFromTheMaps() throws Exception {
        try (NetnsLab lab = new NetnsLab(); TestAgent agent = TestAgent.start("probes: [tcpreset]\n")) {
            String[] ns = BpfProbeLab.pair(lab, 6);
            String client = BpfProbeLab.netns(lab, ns[0]);
            String server = BpfProbeLab.netns(lab, ns[1]);
            assertThrows(ConnectException.class, () -> BpfProbeLab.connect(lab, ns[0], "10.212.6.2", CLOSED_PORT));
            BpfProbeLab.awaitScrape(agent, s -> s.sum("podnet_tcp_resets_total", "netns", client) == 1
                    && s.sum("podnet_tcp_resets_total", "netns", server) == 1, "both resets");
            lab.delete(ns[0]);
            lab.delete(ns[1]);
            // missing from one discovery: kept (it might be new); from two: deleted after that collection
            agent.scrape();
            agent.scrape();
            Scrape after = agent.scrape();
            assertTrue(after.find("podnet_tcp_resets_total", "netns", client).isEmpty(), after.text());
            assertTrue(after.find("podnet_tcp_resets_total", "netns", server).isEmpty(), after.text());
        }
    }

    /** The exposition, histograms included, passes Prometheus' own linter. */
    private static void assertPromtoolAccepts(String text) throws Exception {
        Assumptions.assumeTrue(Sh.available("promtool"), "needs promtool");
        Path file = Files.createTempFile("podnet-metrics", ".txt");
        try {
            Files.writeString(file, text);
            Sh.Result result = Sh.tryRun(List.of("sh", "-c", "promtool check metrics < " + file));
            // exit 1: unparseable; 3: lint findings, which must not concern this probe's metrics
            assertTrue(result.exit() == 0 || result.exit() == 3, result.out());
            for (String finding : result.out().split("\n")) {
                assertTrue(!finding.startsWith("podnet_tcp_") && !finding.startsWith("podnet_bpf_"), finding);
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    private static String resets(Scrape scrape) {
        return String.join("\n", scrape.find("podnet_tcp_resets_total").stream().map(Object::toString).toList());
    }
}
