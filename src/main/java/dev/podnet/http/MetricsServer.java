package dev.podnet.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
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
 * negotiation, gzip when asked), {@code /status} (JSON), {@code /-/healthy} and a small index page.
 * It only reads what collections produced; it never touches a namespace.
 */
public final class MetricsServer implements AutoCloseable {
    private static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();

    public MetricsServer(String host, int port, PrometheusRegistry registry, Supplier<StatusReport> status, EventBus events) throws IOException {
        server = HttpServer.create(new InetSocketAddress(host, port), 64);
        server.createContext("/metrics", new StreamingScrapeHandler(registry));
        server.createContext("/events", new EventStreamHandler(events, registry));
        server.createContext("/status", exchange -> json(exchange, status.get()));
        server.createContext("/-/healthy", exchange -> text(exchange, 200, "text/plain", "ok\n"));
        server.createContext("/", exchange -> {
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
