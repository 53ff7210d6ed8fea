package dev.podnet.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Grafana Loki's push API ({@code POST /loki/api/v1/push}, JSON, gzip). Streams are labelled with few,
 * bounded values: {@code job="podnet"}, {@code node}, {@code namespace} (when the event has one),
 * {@code type} and {@code severity}. A namespace or an event type lives for long; pods, IPs and ports come
 * and go, so they stay in the line, which is the event's JSON as the file sink writes it (query it with
 * {@code | json}). Entries are sorted by time within each stream.
 */
final class LokiSink implements EventSink {
    static final String PUSH_PATH = "/loki/api/v1/push";
    private static final Set<String> KEYS = Set.of("url", "tenant", "basicAuth", "batchSize", "batchWait", "timeout");

    private final Settings settings;
    private final String node;
    private final HttpPush push;

    /**
     * @param push     the push endpoint
     * @param tenant   {@code X-Scope-OrgID}, or null
     * @param username basic auth user, or null
     * @param password basic auth password, or null (then from passwordFile, if any)
     * @param passwordFile read at every push, so a rotated secret is picked up
     */
    record Settings(URI push, String tenant, String username, String password, Path passwordFile, int batchSize,
                    Duration batchWait, Duration timeout) {
        static Settings of(EventsConfig.SinkSpec spec) {
            SinkSettings.onlyKnown(spec, KEYS);
            URI push = SinkSettings.url(spec, "url", PUSH_PATH);
            String tenant = SinkSettings.string(spec.settings(), spec.field(), "tenant", false);
            String username = null;
            String password = null;
            Path passwordFile = null;
            Object auth = spec.settings().get("basicAuth");
            if (auth != null) {
                String field = spec.field() + ".basicAuth";
                if (!(auth instanceof Map<?, ?> map)) {
                    throw new IllegalArgumentException(field + ": expected {username, password or passwordFile}");
                }
                for (Object key : map.keySet()) {
                    if (!Set.of("username", "password", "passwordFile").contains(String.valueOf(key))) {
                        throw new IllegalArgumentException(field + "." + key + ": unknown field (known: username, password, passwordFile)");
                    }
                }
                username = SinkSettings.string(map, field, "username", true);
                password = SinkSettings.string(map, field, "password", false);
                String file = SinkSettings.string(map, field, "passwordFile", false);
                if ((password == null) == (file == null)) {
                    throw new IllegalArgumentException(field + ": give either password or passwordFile");
                }
                passwordFile = file == null ? null : Path.of(file);
            }
            int batchSize = EventsConfig.whole(spec.settings().get("batchSize"), spec.field() + ".batchSize", 500, 1, 10_000);
            Duration batchWait = SinkSettings.duration(spec, "batchWait", Duration.ofSeconds(1), Duration.ZERO, Duration.ofMinutes(1));
            Duration timeout = SinkSettings.duration(spec, "timeout", Duration.ofSeconds(10), Duration.ofMillis(100), Duration.ofMinutes(5));
            return new Settings(push, tenant, username, password, passwordFile, batchSize, batchWait, timeout);
        }

        @Override
        public String toString() { // never the password
            return "loki " + push + (tenant == null ? "" : " tenant " + tenant) + (username == null ? "" : " user " + username);
        }
    }

    LokiSink(Settings settings, SinkContext context) {
        this.settings = settings;
        this.node = context.node();
        this.push = new HttpPush(settings.push(), settings.timeout());
    }

    @Override
    public String name() {
        String push = settings.push().toString();
        return "loki:" + push.substring(0, push.length() - PUSH_PATH.length());
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
        Map<String, String> headers = new LinkedHashMap<>();
        if (settings.tenant() != null) {
            headers.put("X-Scope-OrgID", settings.tenant());
        }
        if (settings.username() != null) {
            String credentials = settings.username() + ":" + password();
            headers.put("Authorization", "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8)));
        }
        push.post(body(batch, node), headers);
    }

    private String password() throws SinkException {
        if (settings.password() != null) {
            return settings.password();
        }
        try {
            return Files.readString(settings.passwordFile()).strip();
        } catch (IOException e) {
            // A secret being mounted or rotated: the events wait in the queue meanwhile.
            throw new SinkException("reading " + settings.passwordFile() + ": " + e.getMessage(), true, e);
        }
    }

    /** The stream labels of an event: fixed names, values that stay few on a node. */
    static Map<String, String> labels(Event e, String node) {
        Map<String, String> labels = new LinkedHashMap<>();
        labels.put("job", "podnet");
        labels.put("node", e.node() == null || e.node().isEmpty() ? node : e.node());
        if (!e.namespace().isEmpty()) { // Loki drops empty labels; say nothing instead
            labels.put("namespace", e.namespace());
        }
        labels.put("type", e.type());
        labels.put("severity", e.severity());
        return labels;
    }

    static byte[] body(List<Event> batch, String node) {
        Map<Map<String, String>, List<Event>> streams = new LinkedHashMap<>();
        for (Event e : batch) {
            streams.computeIfAbsent(labels(e, node), k -> new ArrayList<>()).add(e);
        }
        ObjectNode root = EventJson.mapper().createObjectNode();
        ArrayNode list = root.putArray("streams");
        streams.forEach((labels, events) -> {
            ObjectNode stream = list.addObject();
            ObjectNode labelNode = stream.putObject("stream");
            labels.forEach(labelNode::put);
            ArrayNode values = stream.putArray("values");
            events.stream().sorted(Comparator.comparing(Event::time))
                    .forEach(e -> values.addArray().add(unixNanos(e.time())).add(EventJson.line(e)));
        });
        try {
            return EventJson.mapper().writeValueAsBytes(root);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("a push body that is not JSON: " + e.getMessage(), e);
        }
    }

    static String unixNanos(Instant t) {
        return Long.toString(Math.addExact(Math.multiplyExact(t.getEpochSecond(), 1_000_000_000L), t.getNano()));
    }

    @Override
    public void close() {
        push.close();
    }
}
