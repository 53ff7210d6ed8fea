package dev.podnet.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import io.prometheus.metrics.config.EscapingScheme;
import io.prometheus.metrics.expositionformats.ExpositionFormatWriter;
import io.prometheus.metrics.expositionformats.ExpositionFormats;
import io.prometheus.metrics.model.registry.MetricNameFilter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.MetricSnapshots;
import java.io.IOException;
import java.io.OutputStream;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;

/**
 * {@code /metrics}: client_java's content negotiation and format writers (text, OpenMetrics, protobuf),
 * streamed to the client. client_java's own handler renders an uncompressed response into a byte array
 * first and then copies it: with hundreds of pods that is two copies of a 10 MB body on a heap the
 * agent keeps small, and what made a 64 MiB heap run out at 300 namespaces. Here the body goes out in
 * chunks as the writer produces it. gzip (what Prometheus asks for) uses the fastest level: the body is
 * highly repetitive, so level 1 still shrinks it about 10x at a third of the default level's CPU.
 * {@code name[]} parameters select metric families as in client_java.
 */
final class StreamingScrapeHandler implements HttpHandler {
    private static final Logger LOG = Logger.getLogger(StreamingScrapeHandler.class.getName());
    private static final int CHUNK = 64 * 1024;

    private final PrometheusRegistry registry;
    private final ExpositionFormats formats = ExpositionFormats.init();

    StreamingScrapeHandler(PrometheusRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            String method = exchange.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                exchange.getResponseHeaders().set("Allow", "GET, HEAD");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            String accept = exchange.getRequestHeaders().getFirst("Accept");
            ExpositionFormatWriter writer = formats.findWriter(accept);
            EscapingScheme escaping = EscapingScheme.fromAcceptHeader(accept);
            List<String> names = requestedNames(exchange.getRequestURI().getRawQuery());
            MetricSnapshots snapshots = names.isEmpty() ? registry.scrape()
                    : registry.scrape(MetricNameFilter.builder().nameMustBeEqualTo(names).build());
            exchange.getResponseHeaders().set("Content-Type", writer.getContentType());
            if (method.equals("HEAD")) {
                exchange.sendResponseHeaders(200, -1);
                return;
            }
            boolean gzip = acceptsGzip(exchange.getRequestHeaders().getFirst("Accept-Encoding"));
            if (gzip) {
                exchange.getResponseHeaders().set("Content-Encoding", "gzip");
            }
            exchange.sendResponseHeaders(200, 0); // 0: chunked, the length is not known before writing
            try (OutputStream body = gzip ? new FastGzip(exchange.getResponseBody()) : exchange.getResponseBody()) {
                writer.write(body, snapshots, escaping);
            }
        } catch (IOException e) {
            LOG.log(Level.FINE, "scrape response not delivered (client gone?)", e);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "scrape failed", e);
            throw e;
        }
    }

    private static boolean acceptsGzip(String acceptEncoding) {
        if (acceptEncoding == null) {
            return false;
        }
        for (String coding : acceptEncoding.split(",")) {
            String[] parts = coding.trim().split(";");
            if (parts[0].trim().equalsIgnoreCase("gzip")) {
                return parts.length < 2 || !parts[1].replace(" ", "").equals("q=0");
            }
        }
        return false;
    }

    private static List<String> requestedNames(String rawQuery) {
        List<String> names = new ArrayList<>();
        if (rawQuery == null) {
            return names;
        }
        for (String pair : rawQuery.split("&")) {
            int eq = pair.indexOf('=');
            if (eq > 0 && URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8).equals("name[]")) {
                names.add(URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
            }
        }
        return names;
    }

    /** gzip at the fastest level, with a buffer large enough to keep the deflater's calls few. */
    private static final class FastGzip extends GZIPOutputStream {
        FastGzip(OutputStream out) throws IOException {
            super(out, CHUNK);
            def.setLevel(Deflater.BEST_SPEED);
        }
    }
}
