package dev.podnet.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.logging.Logger;

/**
 * OpenTelemetry logs over OTLP/HTTP with the JSON encoding ({@code POST /v1/logs}, an
 * ExportLogsServiceRequest, gzip): one resource (service.name podnet, the node), one scope, a log record
 * per event whose body is the event's message and whose attributes are its type, probe, namespace inode,
 * pod and fields, typed as the protobuf JSON mapping wants (64-bit integers as strings).
 */
final class OtlpSink implements EventSink {
    private static final Logger LOG = Logger.getLogger(OtlpSink.class.getName());
    static final String LOGS_PATH = "/v1/logs";
    private static final Set<String> KEYS = Set.of("url", "headers", "batchSize", "batchWait", "timeout");
    /** Set by the client itself or by HttpClient, which refuses some of them. */
    private static final Set<String> RESERVED = Set.of("content-type", "content-encoding", "content-length", "host",
            "connection", "expect", "upgrade", "user-agent");
    static final int SEVERITY_INFO = 9;
    static final int SEVERITY_WARN = 13;

    private final Settings settings;
    private final String node;
    private final HttpPush push;

    record Settings(URI logs, Map<String, String> headers, int batchSize, Duration batchWait, Duration timeout) {
        static Settings of(EventsConfig.SinkSpec spec) {
            SinkSettings.onlyKnown(spec, KEYS);
            URI logs = SinkSettings.url(spec, "url", LOGS_PATH);
            Map<String, String> headers = new LinkedHashMap<>();
            Object given = spec.settings().get("headers");
            if (given != null) {
                if (!(given instanceof Map<?, ?> map)) {
                    throw new IllegalArgumentException(spec.field() + ".headers: expected a mapping of header names to values");
                }
                map.forEach((k, v) -> {
                    String name = String.valueOf(k);
                    String field = spec.field() + ".headers." + name;
                    if (!name.matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                        throw new IllegalArgumentException(field + ": not a valid header name");
                    }
                    if (RESERVED.contains(name.toLowerCase(Locale.ROOT))) {
                        throw new IllegalArgumentException(field + ": set by podnet itself");
                    }
                    if (!(v instanceof String) && !(v instanceof Number)) {
                        throw new IllegalArgumentException(field + ": expected a string value");
                    }
                    String value = String.valueOf(v);
                    if (value.indexOf('\r') >= 0 || value.indexOf('\n') >= 0) {
                        throw new IllegalArgumentException(field + ": a header value must be one line");
                    }
                    headers.put(name, value);
                });
            }
            int batchSize = EventsConfig.whole(spec.settings().get("batchSize"), spec.field() + ".batchSize", 500, 1, 10_000);
            Duration batchWait = SinkSettings.duration(spec, "batchWait", Duration.ofSeconds(1), Duration.ZERO, Duration.ofMinutes(1));
            Duration timeout = SinkSettings.duration(spec, "timeout", Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofMinutes(5));
            return new Settings(logs, Map.copyOf(headers), batchSize, batchWait, timeout);
        }

        @Override
        public String toString() { // header values are often credentials
            return "otlp " + logs + " headers " + headers.keySet();
        }
    }

    OtlpSink(Settings settings, SinkContext context) {
        this.settings = settings;
        this.node = context.node();
        this.push = new HttpPush(settings.logs(), settings.timeout());
    }

    @Override
    public String name() {
        String logs = settings.logs().toString();
        return "otlp:" + logs.substring(0, logs.length() - LOGS_PATH.length());
    }

    @Override
    public int maxBatch() {
        return settings.batchSize();
    }

    @Override
    public Duration maxDelay() {
        return settings.batchWait();
    }

    @Override
    public void send(List<Event> batch) throws SinkException {
        String answer = push.post(body(batch, node), settings.headers());
        partialSuccess(answer, batch.size());
    }

    /** A 2xx answer may still say that some records were refused for good; they are not sent again. */
    private void partialSuccess(String answer, int sent) {
        if (answer == null || answer.isBlank()) {
            return;
        }
        try {
            JsonNode partial = EventJson.mapper().readTree(answer).path("partialSuccess");
            long rejected = partial.path("rejectedLogRecords").asLong(0);
            if (rejected > 0) {
                LOG.warning("event sink " + name() + ": the collector refused " + rejected + " of " + sent + " events: "
                        + partial.path("errorMessage").asText(""));
            }
        } catch (JsonProcessingException e) {
            // not JSON (some proxies answer text): the request was accepted all the same
        }
    }

    static byte[] body(List<Event> batch, String node) {
        ObjectNode root = EventJson.mapper().createObjectNode();
        ObjectNode resourceLogs = root.putArray("resourceLogs").addObject();
        ArrayNode resource = resourceLogs.putObject("resource").putArray("attributes");
        attribute(resource, "service.name", "podnet");
        attribute(resource, "host.name", node);
        attribute(resource, "k8s.node.name", node);
        ObjectNode scopeLogs = resourceLogs.putArray("scopeLogs").addObject();
        scopeLogs.putObject("scope").put("name", "podnet");
        ArrayNode records = scopeLogs.putArray("logRecords");
        for (Event e : batch) {
            ObjectNode record = records.addObject();
            String nanos = LokiSink.unixNanos(e.time());
            record.put("timeUnixNano", nanos);
            record.put("observedTimeUnixNano", nanos);
            record.put("severityNumber", e.warning() ? SEVERITY_WARN : SEVERITY_INFO);
            record.put("severityText", e.warning() ? "WARN" : "INFO");
            record.putObject("body").put("stringValue", e.message());
            ArrayNode attributes = record.putArray("attributes");
            attribute(attributes, "podnet.type", e.type());
            attribute(attributes, "podnet.probe", e.probe());
            if (e.netns() != 0) {
                attribute(attributes, "podnet.netns", e.netns());
            }
            if (!e.namespace().isEmpty()) {
                attribute(attributes, "k8s.namespace.name", e.namespace());
            }
            if (!e.pod().isEmpty()) {
                attribute(attributes, "k8s.pod.name", e.pod());
            }
            e.fields().forEach((k, v) -> attribute(attributes, k, v));
        }
        try {
            return EventJson.mapper().writeValueAsBytes(root);
        } catch (JsonProcessingException ex) {
            throw new IllegalStateException("an export request that is not JSON: " + ex.getMessage(), ex);
        }
    }

    /** A KeyValue with its AnyValue typed; int64 is a decimal string in OTLP's JSON. */
    private static void attribute(ArrayNode attributes, String key, Object value) {
        ObjectNode kv = attributes.addObject();
        kv.put("key", key);
        ObjectNode any = kv.putObject("value");
        switch (value) {
            case Long n -> any.put("intValue", Long.toString(n));
            case Integer n -> any.put("intValue", Long.toString(n));
            case Short n -> any.put("intValue", Long.toString(n));
            case Byte n -> any.put("intValue", Long.toString(n));
            case java.math.BigInteger n when n.bitLength() < 64 -> any.put("intValue", n.toString());
            case Double d when Double.isFinite(d) -> any.put("doubleValue", d);
            case Float f when Float.isFinite(f) -> any.put("doubleValue", f.doubleValue());
            case Boolean b -> any.put("boolValue", b);
            case null -> any.put("stringValue", "");
            default -> any.put("stringValue", String.valueOf(value));
        }
    }

    @Override
    public void close() {
        push.close();
    }
}
