package dev.podnet.event;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.zip.GZIPInputStream;

/**
 * A receiver on loopback for one path: records every request (headers, the body gunzipped when it says
 * gzip) and answers with the status it is told to, so a test can play an overloaded or refusing server.
 */
final class HttpStandIn implements AutoCloseable {
    record Request(String method, String path, Map<String, List<String>> headers, String body, int answered) {
        String header(String name) {
            return headers.entrySet().stream().filter(e -> e.getKey().equalsIgnoreCase(name)).findFirst()
                    .map(e -> e.getValue().getFirst()).orElse(null);
        }
    }

    private final HttpServer server;
    private final List<Request> requests = new CopyOnWriteArrayList<>();
    private final AtomicInteger status;
    private volatile String answer = "";

    HttpStandIn(String path, int status) throws IOException {
        this(0, path, status);
    }

    HttpStandIn(int port, String path, int status) throws IOException {
        this.status = new AtomicInteger(status);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
        server.createContext("/", exchange -> {
            byte[] raw;
            try (InputStream in = exchange.getRequestBody()) {
                raw = in.readAllBytes();
            }
            String encoding = exchange.getRequestHeaders().getFirst("Content-Encoding");
            String body;
            if ("gzip".equals(encoding)) {
                try (InputStream gz = new GZIPInputStream(new java.io.ByteArrayInputStream(raw))) {
                    body = new String(gz.readAllBytes(), StandardCharsets.UTF_8);
                }
            } else {
                body = new String(raw, StandardCharsets.UTF_8);
            }
            int code = exchange.getRequestURI().getPath().equals(path) ? this.status.get() : 404;
            requests.add(new Request(exchange.getRequestMethod(), exchange.getRequestURI().getPath(),
                    Map.copyOf(exchange.getRequestHeaders()), body, code));
            byte[] reply = code / 100 == 2 ? answer.getBytes(StandardCharsets.UTF_8) : ("status " + code).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(code, reply.length == 0 ? -1 : reply.length);
            if (reply.length > 0) {
                exchange.getResponseBody().write(reply);
            }
            exchange.close();
        });
        server.start();
    }

    String url() {
        return "http://" + InetAddress.getLoopbackAddress().getHostAddress() + ":" + server.getAddress().getPort();
    }

    int port() {
        return server.getAddress().getPort();
    }

    void answer(int next) {
        status.set(next);
    }

    /** The body of 2xx answers. */
    void answerBody(String body) {
        answer = body;
    }

    List<Request> requests() {
        return List.copyOf(requests);
    }

    /** The requests that were answered 2xx. */
    List<Request> accepted() {
        return requests.stream().filter(r -> r.answered() / 100 == 2).toList();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
