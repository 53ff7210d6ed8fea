package dev.podnet.event;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.Gauge;
import io.prometheus.metrics.model.registry.PrometheusRegistry;

/** The event pipeline's own metrics: what it saw, sent, dropped (by stage and sink) and rate limited. */
public final class EventMetrics {
    final Counter events;
    final Counter dropped;
    final Counter rateLimited;
    final Counter sent;
    final Counter errors;
    final Gauge queueLength;

    public EventMetrics(PrometheusRegistry registry) {
        events = Counter.builder().name("podnet_events_total").help("Events made, by type (before rate limiting).")
                .labelNames("type").register(registry);
        dropped = Counter.builder().name("podnet_events_dropped_total")
                .help("Events lost, by stage (ring_buffer: the kernel's buffer was full; sink_queue: a sink's queue was "
                        + "full; rejected: the sink refused them for good; stream: a slow /events client) and sink.")
                .labelNames("stage", "sink").register(registry);
        rateLimited = Counter.builder().name("podnet_events_rate_limited_total")
                .help("Events folded into a later event of the same type and pod by the rate limit (its fields.count).")
                .labelNames("type").register(registry);
        sent = Counter.builder().name("podnet_event_sink_sent_total").help("Events a sink delivered.")
                .labelNames("sink").register(registry);
        errors = Counter.builder().name("podnet_event_sink_errors_total")
                .help("Failed deliveries of a sink (each retry of a batch counts).").labelNames("sink").register(registry);
        queueLength = Gauge.builder().name("podnet_event_sink_queue_length").help("Events waiting in a sink's queue.")
                .labelNames("sink").register(registry);
    }

    /** Metrics for code and tests that need none exported. */
    public static EventMetrics unregistered() {
        return new EventMetrics(new PrometheusRegistry());
    }

    public double dropped(String stage, String sink) {
        return dropped.labelValues(stage, sink).get();
    }

    public double sent(String sink) {
        return sent.labelValues(sink).get();
    }

    public double errors(String sink) {
        return errors.labelValues(sink).get();
    }
}
