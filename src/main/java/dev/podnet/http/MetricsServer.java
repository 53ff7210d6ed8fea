package dev.podnet.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpContext;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsServer;
import dev.podnet.event.EventBus;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Supplier;

/**
 * The agent's HTTP endpoints: {@code /metrics} (Prometheus text, OpenMetrics or protobuf by content
 * negotiation, gzip when asked), {@code /events} (Server-Sent Events), {@code /status} (JSON), {@code /-/healthy}
 * and a small index page.
 * It only reads what collections produced; it never touches a namespace. With a {@link WebSecurity}
 * every context, those added later by {@link #addContext} included, goes through its TLS, basic
 * authentication, headers and rate limit.
 */
public final class MetricsServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    private final Filter access;

    /** Plain HTTP, no authentication, no {@code /events}. */
    public MetricsServer(String host, int port, PrometheusRegistry registry, Supplier<StatusReport> status) throws IOException {
        this(host, port, registry, status, null, null);
    }

    /** Plain HTTP, no authentication; {@code /events} streams {@code events}. */
    public MetricsServer(String host, int port, PrometheusRegistry registry, Supplier<StatusReport> status, EventBus events)
            throws IOException {
        this(host, port, registry, status, events, null);
    }

    /**
     * @param events   the bus {@code /events} streams, or null for no {@code /events}
     * @param security the web config in force (HTTPS only if it configures TLS; authentication if it has
     *                 users), or null for plain HTTP without authentication. The caller closes it.
     */
    public MetricsServer(String host, int port, PrometheusRegistry registry, Supplier<StatusReport> status, EventBus events,
                         WebSecurity security) throws IOException {
        InetSocketAddress address = new InetSocketAddress(host, port);
        if (security != null && security.tls()) {
            HttpsServer https = HttpsServer.create(address, 64);
            https.setHttpsConfigurator(security.httpsConfigurator());
            server = https;
        } else {
            server = HttpServer.create(address, 64);
        }
        access = security == null ? null : security.filter();
        addContext("/metrics", new StreamingScrapeHandler(registry));
        if (events != null) {
            addContext("/events", new EventStreamHandler(events, registry));
        }
        addContext("/status", exchange -> json(exchange, status.get()));
        addContext("/-/healthy", exchange -> text(exchange, 200, "text/plain", "ok\n"));
        addContext("/", exchange -> {
            if (!exchange.getRequestURI().getPath().equals("/")) {
                text(exchange, 404, "text/plain", "not found\n");
                return;
            }
            text(exchange, 200, "text/html", """
                    <!doctype html><html><head><title>podnet</title></head><body>
                    <h1>podnet</h1><p>Per-pod network metrics for this node.</p>
                    <ul><li><a href="/metrics">/metrics</a></li><li><a href="/status">/status</a></li></ul>
                    </body></html>
                    """);
        });
        server.setExecutor(executor);
        server.start();
    }

    /**
     * Serves {@code path} (and the paths below it) with {@code handler}, behind the same TLS,
     * authentication, headers and rate limit as every other endpoint. Handlers run on virtual threads,
     * so a long-lived response (a stream of events) holds no platform thread. May be called after start.
     */
    public HttpContext addContext(String path, HttpHandler handler) {
        HttpContext context = server.createContext(path, handler);
        if (access != null) {
            context.getFilters().add(access);
        }
        return context;
    }

    /** Whether the server speaks HTTPS (only). */
    public boolean tls() {
        return server instanceof HttpsServer;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    private static void json(HttpExchange exchange, Object body) throws IOException {
        text(exchange, 200, "application/json", JSON.writeValueAsString(body));
    }

    private static void text(HttpExchange exchange, int code, String type, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", type + "; charset=utf-8");
        exchange.sendResponseHeaders(code, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
