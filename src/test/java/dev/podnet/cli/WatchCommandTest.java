package dev.podnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.BasicAuthenticator;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.podnet.event.EventBus;
import dev.podnet.event.EventMetrics;
import dev.podnet.http.EventStreamHandler;
import dev.podnet.probe.EventTypes;
import dev.podnet.probe.ProbeEvent;
import dev.podnet.http.TestPki;
import dev.podnet.testing.TestAgent;
import dev.podnet.testing.TestTls;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code podnet watch} run in-process against running agents and stand-ins. */
class WatchCommandTest {
    private static final String CONFIG = """
            probes: [netdev]
            kubernetes: false
            events: {rateLimit: {burst: 100000, perSecond: 100000}}
            """;
    private static final Duration GUARD = Duration.ofSeconds(60);

    /** The command on a thread of its own, its stdout and stderr captured. */
    private static final class WatchRun implements AutoCloseable {
        final StringWriter out = new StringWriter();
        final StringWriter err = new StringWriter();
        final Thread thread;
        volatile int exit = -1;

        WatchRun(String... args) {
            CommandLine command = Main.commandLine();
            command.setOut(new PrintWriter(out, true));
            command.setErr(new PrintWriter(err, true));
            thread = Thread.ofPlatform().name("podnet watch").start(() -> exit = command.execute(args));
        }

        /** Waits until stdout (or stderr) holds what {@code ready} wants; a guard, not a timing. */
        String await(StringWriter which, Predicate<String> ready, String what) throws InterruptedException {
            long deadline = System.nanoTime() + GUARD.toNanos();
            while (!ready.test(which.toString())) {
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("no " + what + " within " + GUARD.toSeconds() + " s; stdout:\n" + out + "\nstderr:\n" + err);
                }
                Thread.sleep(20);
            }
            return which.toString();
        }

        String awaitOut(String contained) throws InterruptedException {
            return await(out, s -> s.contains(contained), "\"" + contained + "\" on stdout");
        }

        @Override
        public void close() throws InterruptedException {
            thread.interrupt();
            thread.join(GUARD.toMillis());
        }
    }

    private static void emit(EventBus bus, String type, long netns, String message) {
        bus.emit(new ProbeEvent(type, "test", netns, Map.of("saddr", "10.0.0.1", "sport", 80, "daddr", "10.0.0.2", "dport", 4321), message));
    }

    private static TestAgent agent(String namespace, String pod) throws Exception {
        TestAgent agent = TestAgent.start(CONFIG);
        agent.agent().events().setAttribution(inode -> new String[] {namespace, pod});
        return agent;
    }

    private static String url(TestAgent agent) {
        return "http://127.0.0.1:" + agent.port();
    }

    @Test
    void theEventsOfTwoAgentsAreMergedAndALostAgentIsReported() throws Exception {
        TestAgent a = agent("shop", "web-1");
        boolean aClosed = false;
        try (TestAgent b = agent("db", "pg-0")) {
            try (WatchRun watch = new WatchRun("watch", "--agent", url(a), "--agent", url(b))) {
                watch.awaitOut("[agent " + url(a) + "] connected");
                watch.awaitOut("[agent " + url(b) + "] connected");
                emit(a.agent().events(), EventTypes.PACKET_DROP, 11, "from a");
                emit(b.agent().events(), EventTypes.TCP_RESET_ACTIVE, 22, "from b");
                String out = watch.awaitOut(" from b");
                out = watch.awaitOut(" from a");
                assertTrue(out.lines().anyMatch(l -> l.matches("\\S+Z \\S+ PACKET_DROP +shop/web-1 10\\.0\\.0\\.1:80 -> 10\\.0\\.0\\.2:4321 from a")), out);
                assertTrue(out.lines().anyMatch(l -> l.matches("\\S+Z \\S+ TCP_RESET_ACTIVE +db/pg-0 10\\.0\\.0\\.1:80 -> 10\\.0\\.0\\.2:4321 from b")), out);

                String aUrl = url(a);
                a.close();
                aClosed = true;
                watch.awaitOut("[agent " + aUrl + "] lost: ");
                emit(b.agent().events(), EventTypes.CONNECT_FAILED, 22, "b still there");
                watch.awaitOut(" b still there");
            }
        } finally {
            if (!aClosed) {
                a.close();
            }
        }
    }

    @Test
    void jsonLinesNameTheAgentAndFiltersReachTheAgents() throws Exception {
        try (TestAgent a = agent("shop", "web-1"); TestAgent b = agent("db", "pg-0")) {
            try (WatchRun watch = new WatchRun("watch", "--agent", url(a), "--agent", url(b) + "/", "-o", "json",
                    "--type", "packet_drop,CONNECT_FAILED", "--namespace", "shop,db")) {
                watch.await(watch.err, s -> s.contains("[agent " + url(a) + "] connected")
                        && s.contains("[agent " + url(b) + "/] connected"), "both connected on stderr");
                emit(a.agent().events(), EventTypes.TCP_RESET_ACTIVE, 11, "not this type");
                emit(a.agent().events(), EventTypes.PACKET_DROP, 11, "a drop");
                emit(b.agent().events(), EventTypes.CONNECT_FAILED, 22, "b connect");
                String out = watch.await(watch.out, s -> s.lines().count() >= 2, "two events");
                List<JsonNode> lines = new ArrayList<>();
                for (String line : out.strip().split("\n")) {
                    lines.add(new ObjectMapper().readTree(line));
                }
                assertEquals(2, lines.size(), out);
                for (JsonNode line : lines) {
                    boolean fromA = line.get("message").asText().equals("a drop");
                    assertEquals(fromA ? url(a) : url(b) + "/", line.get("agent").asText());
                    assertEquals(fromA ? "shop" : "db", line.get("namespace").asText());
                    assertEquals(fromA ? a.agent().events().lastId() : b.agent().events().lastId(), line.get("id").asLong());
                    assertTrue(line.get("time").asText().endsWith("Z"), line.toString());
                }
            }
        }
    }

    @Test
    void anAgentThatComesBackIsResumedWhereTheStreamBroke() throws Exception {
        EventBus bus = new EventBus("node-r", EventMetrics.unregistered());
        HttpServer first = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        int port = first.getAddress().getPort();
        serve(first, bus);
        try (WatchRun watch = new WatchRun("watch", "--agent", "http://127.0.0.1:" + port)) {
            watch.awaitOut("connected");
            emit(bus, EventTypes.PACKET_DROP, 0, "before the break");
            watch.awaitOut(" before the break");
            first.stop(0);
            watch.awaitOut("] lost: ");
            emit(bus, EventTypes.PACKET_DROP, 0, "during the break 1");
            emit(bus, EventTypes.PACKET_DROP, 0, "during the break 2");
            HttpServer second = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
            serve(second, bus);
            try {
                watch.awaitOut("] back, resuming after event 1");
                String out = watch.awaitOut(" during the break 2");
                assertTrue(out.indexOf(" during the break 1") < out.indexOf(" during the break 2"), out);
                assertEquals(1, out.split(" before the break", -1).length - 1, "nothing twice: " + out);
            } finally {
                second.stop(0);
            }
        }
    }

    @Test
    void aProtectedAgentIsReachedWithItsCaAndCredentials(@TempDir Path dir) throws Exception {
        TestTls tls = TestTls.create(dir);
        EventBus bus = new EventBus("node-t", EventMetrics.unregistered());
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls.serverContext()));
        server.createContext("/events", new EventStreamHandler(bus, new PrometheusRegistry()))
                .setAuthenticator(new BasicAuthenticator("podnet") {
                    @Override
                    public boolean checkCredentials(String user, String password) {
                        return user.equals("alice") && password.equals("s3cret");
                    }
                });
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        String url = "https://127.0.0.1:" + server.getAddress().getPort();
        Path good = Files.writeString(dir.resolve("good"), "s3cret\n");
        Path bad = Files.writeString(dir.resolve("bad"), "guess\n");
        try {
            try (WatchRun watch = new WatchRun("watch", "--agent", url, "--cacert", tls.caPem().toString(), "--user", "alice",
                    "--password-file", good.toString())) {
                watch.awaitOut("connected");
                emit(bus, EventTypes.PACKET_DROP, 0, "over TLS");
                watch.awaitOut(" over TLS");
            }
            try (WatchRun watch = new WatchRun("watch", "--agent", url, "--cacert", tls.caPem().toString(), "--user", "alice",
                    "--password-file", bad.toString())) {
                watch.awaitOut("gave up: HTTP 401");
                watch.thread.join(GUARD.toMillis());
                assertEquals(1, watch.exit, "every agent refused the stream");
            }
        } finally {
            server.stop(0);
        }
    }

    @Test
    void badFlagsAreUsageErrors() throws Exception {
        try (WatchRun noPassword = new WatchRun("watch", "--user", "alice")) {
            noPassword.thread.join(GUARD.toMillis());
            assertEquals(2, noPassword.exit);
            assertTrue(noPassword.err.toString().contains("PODNET_PASSWORD") || System.getenv("PODNET_PASSWORD") != null,
                    noPassword.err.toString());
        }
        try (WatchRun notUrl = new WatchRun("watch", "--agent", "ftp://host")) {
            notUrl.thread.join(GUARD.toMillis());
            assertEquals(2, notUrl.exit);
            assertTrue(notUrl.err.toString().contains("ftp://host"), notUrl.err.toString());
        }
    }

    private static void serve(HttpServer server, EventBus bus) {
        server.createContext("/events", new EventStreamHandler(bus, new PrometheusRegistry()));
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
    }

    @Test
    void watchReachesAnAgentBehindTlsAndBasicAuth(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        TestPki pki = TestPki.create(dir, "ca");
        pki.server("tls", 0x2001, TestPki.KeyFormat.PKCS8_EC);
        java.nio.file.Path web = dir.resolve("web-config.yml");
        java.nio.file.Files.writeString(web, "tls_server_config:\n  cert_file: tls.crt\n  key_file: tls.key\n"
                + "basic_auth_users:\n  ops: " + TestPki.bcrypt("ops", "s3cret") + "\n");
        java.nio.file.Path password = dir.resolve("password");
        java.nio.file.Files.writeString(password, "s3cret\n");
        java.nio.file.Path wrong = dir.resolve("wrong");
        java.nio.file.Files.writeString(wrong, "guess\n");
        try (TestAgent agent = TestAgent.start(CONFIG + "webConfig: " + web + "\n")) {
            agent.agent().events().setAttribution(inode -> new String[] {"shop", "web-1"});
            String url = "https://127.0.0.1:" + agent.port();
            try (WatchRun watch = new WatchRun("watch", "--agent", url, "--cacert", pki.caCert.toString(), "--user", "ops",
                    "--password-file", password.toString())) {
                watch.awaitOut("[agent " + url + "] connected");
                emit(agent.agent().events(), EventTypes.PACKET_DROP, 11, "over tls");
                watch.awaitOut(" over tls");
            }
            try (WatchRun refused = new WatchRun("watch", "--agent", url, "--cacert", pki.caCert.toString(), "--user", "ops",
                    "--password-file", wrong.toString())) {
                refused.await(refused.out, s -> s.contains("401"), "the agent refusing a wrong password");
            }
        }
    }
}
