package dev.podnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** One agent's stream against stand-ins that answer what a real agent rarely does. */
class AgentStreamTest {
    private final LinkedBlockingQueue<String> seen = new LinkedBlockingQueue<>();
    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
    private HttpServer server;
    private Thread thread;
    private AgentStream stream;

    private final AgentStream.Listener listener = new AgentStream.Listener() {
        @Override
        public void event(AgentStream from, String id, String data) {
            seen.add("event " + id + " " + data);
        }

        @Override
        public void connected(AgentStream from, boolean again, String resumeAfter) {
            seen.add((again ? "back " : "connected ") + resumeAfter);
        }

        @Override
        public void lost(AgentStream from, boolean wasConnected, String reason, Duration retryIn) {
            seen.add((wasConnected ? "lost " : "unreachable ") + reason);
        }

        @Override
        public void gaveUp(AgentStream from, String reason) {
            seen.add("gave up " + reason);
        }
    };

    private String next() throws InterruptedException {
        String s = seen.poll(60, TimeUnit.SECONDS); // a guard against a hang, not a timing
        if (s == null) {
            throw new AssertionError("nothing within 60 s");
        }
        return s;
    }

    private void start(URI uri, Duration quietLimit) {
        stream = new AgentStream(uri.toString(), uri, client, () -> null, listener, quietLimit);
        thread = Thread.ofVirtual().start(stream);
    }

    private URI serve(HttpHandler handler) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/events", handler);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/events");
    }

    @AfterEach
    void stop() throws Exception {
        done.countDown();
        if (stream != null) {
            stream.stop();
            thread.interrupt();
            thread.join(10_000);
        }
        if (server != null) {
            server.stop(0);
        }
        client.shutdownNow();
    }

    private static void sse(HttpExchange exchange, String body) throws IOException {
        exchange.getResponseHeaders().set("Content-Type", "text/event-stream");
        exchange.sendResponseHeaders(200, 0);
        OutputStream out = exchange.getResponseBody();
        out.write(body.getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    @Test
    void aClosedPortIsUnreachableUntilItOpens() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        start(URI.create("http://127.0.0.1:" + port + "/events"), Duration.ofSeconds(45));
        assertEquals("unreachable cannot connect (refused or unreachable)", next());
    }

    @Test
    void busyAgentsAreRetriedAndRefusalsEndTheStream() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        URI uri = serve(exchange -> {
            int call = calls.incrementAndGet();
            if (call == 1) {
                exchange.sendResponseHeaders(503, -1);
            } else if (call == 2) {
                sse(exchange, "id: 5\ndata: {\"n\":1}\n\n");
            } else {
                assertEquals("5", exchange.getRequestHeaders().getFirst("Last-Event-ID"));
                byte[] body = "unknown parameter \"types\"\n".getBytes(StandardCharsets.UTF_8);
                exchange.sendResponseHeaders(400, body.length);
                exchange.getResponseBody().write(body);
            }
            exchange.close();
        });
        start(uri, Duration.ofSeconds(45));
        assertEquals("unreachable HTTP 503", next());
        assertEquals("connected ", next());
        assertEquals("event 5 {\"n\":1}", next());
        assertEquals("lost the agent ended the stream", next());
        assertEquals("gave up HTTP 400: unknown parameter \"types\"", next());
        thread.join(10_000);
        assertTrue(!thread.isAlive(), "the stream ends after a refusal");
    }

    @Test
    void aQuietAgentIsReconnectedAndResumed() throws Exception {
        AtomicInteger calls = new AtomicInteger();
        URI uri = serve(exchange -> {
            if (calls.incrementAndGet() == 1) {
                sse(exchange, "id: 9\n\n"); // then silence, no heartbeats: a connection that died on the way
                try {
                    done.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            } else {
                sse(exchange, "data: resumed after " + exchange.getRequestHeaders().getFirst("Last-Event-ID") + "\n\n");
            }
            exchange.close();
        });
        start(uri, Duration.ofMillis(200));
        assertEquals("connected ", next());
        assertTrue(next().startsWith("lost nothing heard for "));
        assertEquals("back 9", next());
        assertEquals("event 9 resumed after 9", next());
    }

    @Test
    void anAgentWithoutEventsIsNamedOlder() throws Exception {
        URI uri = serve(exchange -> {
            exchange.sendResponseHeaders(404, -1);
            exchange.close();
        });
        start(uri, Duration.ofSeconds(45));
        String gaveUp = next();
        assertTrue(gaveUp.startsWith("gave up HTTP 404") && gaveUp.contains("older"), gaveUp);
    }
}
