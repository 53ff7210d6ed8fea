package dev.podnet.http;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import dev.podnet.event.Event;
import dev.podnet.event.EventBus;
import dev.podnet.event.EventJson;
import dev.podnet.event.Subscription;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code GET /events}: the event bus as Server-Sent Events. Each event goes out as {@code id: <id>} and
 * {@code data: <one line of JSON>}, written as soon as the bus hands it over; a {@code : heartbeat} comment
 * goes out when the stream has been quiet for the heartbeat interval, which also finds clients that went
 * away without closing. Filters and resuming: see {@link EventStreamQuery}.
 *
 * <p>Every stream reads from its own bounded {@link Subscription}: a client that reads slowly (or not at
 * all) blocks only its own writer thread, loses events and is told so with EVENTS_LOST; the bus and the
 * other streams never wait for it. The number of open streams is bounded; a client beyond the bound gets
 * 503 and is counted in {@code podnet_event_streams_refused_total}.
 */
public final class EventStreamHandler implements HttpHandler {
    static final int MAX_STREAMS = 64;
    static final Duration HEARTBEAT = Duration.ofSeconds(15);
    /** Events written before a flush at most, when the subscription already holds more. */
    private static final int MAX_BATCH = 256;
    private static final byte[] HEARTBEAT_LINE = ": heartbeat\n".getBytes(StandardCharsets.UTF_8);

    private final EventBus bus;
    private final int maxStreams;
    private final long heartbeatNanos;
    private final AtomicInteger open = new AtomicInteger();
    private final Gauge streams;
    private final Counter refused;

    public EventStreamHandler(EventBus bus, PrometheusRegistry registry) {
        this(bus, registry, MAX_STREAMS, HEARTBEAT);
    }

    EventStreamHandler(EventBus bus, PrometheusRegistry registry, int maxStreams, Duration heartbeat) {
        this.bus = bus;
        this.maxStreams = maxStreams;
        this.heartbeatNanos = heartbeat.toNanos();
        streams = Gauge.builder().name("podnet_event_streams").help("Open /events streams.").register(registry);
        refused = Counter.builder().name("podnet_event_streams_refused_total")
                .help("/events streams refused with 503 because " + maxStreams + " were already open.").register(registry);
    }

    @Override
    public void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            if (!exchange.getRequestMethod().equals("GET")) {
                exchange.getResponseHeaders().set("Allow", "GET");
                exchange.sendResponseHeaders(405, -1);
                return;
            }
            EventStreamQuery query;
            try {
                query = EventStreamQuery.parse(exchange.getRequestURI().getRawQuery(),
                        exchange.getRequestHeaders().getFirst("Last-Event-ID"));
            } catch (IllegalArgumentException e) {
                plain(exchange, 400, e.getMessage());
                return;
            }
            if (open.incrementAndGet() > maxStreams) {
                open.decrementAndGet();
                refused.inc();
                exchange.getResponseHeaders().set("Retry-After", "5");
                plain(exchange, 503, "too many event streams: " + maxStreams + " are open");
                return;
            }
            streams.inc();
            try {
                stream(exchange, query);
            } finally {
                streams.dec();
                open.decrementAndGet();
            }
        }
    }

    private void stream(HttpExchange exchange, EventStreamQuery query) throws IOException {
        // A resume id above the bus's last one comes from before a restart of the agent (ids start again
        // at 1): then everything the new bus still keeps is news to the client.
        long afterId = query.afterId() > bus.lastId() ? 0 : query.afterId();
        try (Subscription subscription = bus.subscribe(query, afterId)) {
            exchange.getResponseHeaders().set("Content-Type", "text/event-stream; charset=utf-8");
            exchange.getResponseHeaders().set("Cache-Control", "no-cache");
            exchange.getResponseHeaders().set("X-Accel-Buffering", "no"); // nginx and friends: do not buffer
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            if (afterId < 0) {
                // An id without data moves the client's resume point without making an event: a client that
                // loses the connection before the first event still resumes from here, not from "now".
                out.write(("id: " + bus.lastId() + "\n\n").getBytes(StandardCharsets.UTF_8));
            }
            out.flush();
            long lastWrite = System.nanoTime();
            while (true) {
                long quiet = System.nanoTime() - lastWrite;
                Event event = quiet < heartbeatNanos ? subscription.poll(heartbeatNanos - quiet, TimeUnit.NANOSECONDS) : null;
                if (event == null) {
                    if (System.nanoTime() - lastWrite >= heartbeatNanos) {
                        out.write(HEARTBEAT_LINE);
                        out.flush();
                        lastWrite = System.nanoTime();
                    }
                    continue;
                }
                // What the subscription already holds goes out in the same flush; nothing waits for more.
                int written = 0;
                do {
                    out.write(frame(event));
                } while (++written < MAX_BATCH && (event = subscription.poll(0, TimeUnit.NANOSECONDS)) != null);
                out.flush();
                lastWrite = System.nanoTime();
            }
        } catch (IOException e) {
            // The client went away (a write failed): closing the subscription is all there is to do.
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // the server is stopping
        }
    }

    static byte[] frame(Event event) {
        return ("id: " + event.id() + "\ndata: " + EventJson.line(event) + "\n\n").getBytes(StandardCharsets.UTF_8);
    }

    private static void plain(HttpExchange exchange, int code, String message) throws IOException {
        byte[] body = (message + "\n").getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
        exchange.sendResponseHeaders(code, body.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(body);
        }
    }
}
