package dev.podnet.event;

import static dev.podnet.event.SinkTesting.await;
import static dev.podnet.event.SinkTesting.event;
import static dev.podnet.event.SinkTesting.reset;
import static dev.podnet.event.SinkTesting.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Loki sink against a stand-in that checks what Loki's push API takes. */
class LokiSinkTest {
    private static final String PUSH = "/loki/api/v1/push";
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    private static final Pattern IP_OR_PORT = Pattern.compile(".*(\\d+\\.\\d+\\.\\d+\\.\\d+|[0-9a-fA-F]*:[0-9a-fA-F:]+|^\\d{1,5}$).*");
    private static final Pattern UNIX_NANOS = Pattern.compile("\\d{19}");

    @TempDir
    Path dir;

    private static EventSink loki(HttpStandIn server, Map<String, Object> more) throws Exception {
        Map<String, Object> settings = new HashMap<>(more);
        settings.put("url", server.url() + "/");
        settings.putIfAbsent("batchWait", "50ms");
        return SinkFactory.create(spec("loki", settings), new SinkContext("node-1"));
    }

    /** Every entry of every stream of every accepted push, as (labels, unix ns, line). */
    private record Entry(Map<String, String> labels, String nanos, Event event) {
    }

    private static List<Entry> entries(List<HttpStandIn.Request> requests) throws Exception {
        List<Entry> entries = new ArrayList<>();
        for (HttpStandIn.Request r : requests) {
            JsonNode root = EventJson.mapper().readTree(r.body());
            for (JsonNode stream : root.get("streams")) {
                Map<String, String> labels = new HashMap<>();
                stream.get("stream").properties().forEach(p -> labels.put(p.getKey(), p.getValue().asText()));
                for (JsonNode value : stream.get("values")) {
                    assertEquals(2, value.size(), "a value is [timestamp, line]");
                    assertTrue(value.get(0).isTextual(), "the timestamp is a string: " + value);
                    entries.add(new Entry(labels, value.get(0).asText(), EventJson.parse(value.get(1).asText())));
                }
            }
        }
        return entries;
    }

    @Test
    void pushIsGzippedJsonWithFewBoundedLabelsAndSortedNanosecondValues() throws Exception {
        Path passwordFile = dir.resolve("password");
        Files.writeString(passwordFile, "s3cret\n");
        Instant t0 = Instant.ofEpochSecond(1_760_000_000L, 123_456_789);
        List<Event> batch = List.of(
                event(t0.plusSeconds(3), "TCP_RESET_NO_SOCKET", "warning", "shop", "web-7d9f", Map.of("daddr", "10.244.2.9", "dport", 8080), "third"),
                event(t0.plusSeconds(1), "TCP_RESET_NO_SOCKET", "warning", "shop", "web-5c2a", Map.of("daddr", "10.244.2.10", "dport", 443), "first"),
                event(t0.plusSeconds(2), "TCP_RESET_NO_SOCKET", "warning", "shop", "web-7d9f", Map.of("daddr", "fd00::9", "dport", 53), "second"),
                event(t0, "TCP_RESET_RECEIVED", "info", "shop", "db-0", Map.of("saddr", "10.244.2.11"), "other type"),
                event(t0, "PACKET_DROP", "warning", "kube-system", "coredns-1", Map.of("reason", "NETFILTER_DROP"), "other namespace"),
                event(t0, "SOFTIRQ_SLOW", "warning", "", "", Map.of("cpu", 3, "seconds", 0.012), "node-wide"));
        try (HttpStandIn server = new HttpStandIn(PUSH, 204);
             EventSink sink = loki(server, Map.of("tenant", "team-a",
                     "basicAuth", Map.of("username", "podnet", "passwordFile", passwordFile.toString())))) {
            sink.send(batch);

            assertEquals(1, server.requests().size());
            HttpStandIn.Request push = server.requests().getFirst();
            assertEquals("POST", push.method());
            assertEquals(PUSH, push.path());
            assertEquals("gzip", push.header("Content-Encoding"));
            assertEquals("application/json", push.header("Content-Type"));
            assertEquals("team-a", push.header("X-Scope-OrgID"));
            assertEquals("Basic " + Base64.getEncoder().encodeToString("podnet:s3cret".getBytes(StandardCharsets.UTF_8)),
                    push.header("Authorization"));

            JsonNode root = EventJson.mapper().readTree(push.body());
            assertEquals(4, root.get("streams").size(), "one stream per (namespace, type): " + push.body());
            for (JsonNode stream : root.get("streams")) {
                Set<String> names = new HashSet<>();
                stream.get("stream").properties().forEach(label -> {
                    names.add(label.getKey());
                    assertTrue(LABEL_NAME.matcher(label.getKey()).matches(), "label name " + label.getKey());
                    assertTrue(label.getValue().isTextual() && !label.getValue().asText().isEmpty(), "label value " + label);
                    assertFalse(IP_OR_PORT.matcher(label.getValue().asText()).matches(), "an IP or port as a label: " + label);
                });
                assertTrue(names.size() <= 15, "at most 15 labels: " + names);
                assertTrue(Set.of("job", "node", "namespace", "type", "severity").containsAll(names), "labels " + names);
                long previous = 0;
                for (JsonNode value : stream.get("values")) {
                    String nanos = value.get(0).asText();
                    assertTrue(UNIX_NANOS.matcher(nanos).matches(), "unix nanoseconds as a string: " + nanos);
                    assertTrue(Long.parseLong(nanos) >= previous, "values sorted by time: " + stream);
                    previous = Long.parseLong(nanos);
                }
            }

            List<Entry> entries = entries(server.requests());
            assertEquals(batch.size(), entries.size());
            for (Entry e : entries) {
                Instant time = e.event().time();
                assertEquals(Long.toString(time.getEpochSecond() * 1_000_000_000L + time.getNano()), e.nanos(), "the entry's time is the event's");
                assertEquals("podnet", e.labels().get("job"));
                assertEquals("node-1", e.labels().get("node"));
                assertEquals(e.event().type(), e.labels().get("type"));
                assertEquals(e.event().severity(), e.labels().get("severity"));
                assertEquals(e.event().namespace().isEmpty() ? null : e.event().namespace(), e.labels().get("namespace"));
                assertTrue(batch.contains(e.event()), "the line is the event's JSON: " + e.event());
            }
            List<String> resets = entries.stream().filter(e -> e.event().type().equals("TCP_RESET_NO_SOCKET"))
                    .map(e -> e.event().message()).toList();
            assertEquals(List.of("first", "second", "third"), resets);
        }
    }

    @Test
    void eventsMadeWhileLokiAnswers503ArriveOnceItIsBack() throws Exception {
        EventMetrics metrics = EventMetrics.unregistered();
        try (HttpStandIn server = new HttpStandIn(PUSH, 503)) {
            EventSink sink = loki(server, Map.of());
            List<String> sent = new ArrayList<>();
            try (SinkWorker worker = new SinkWorker(sink, e -> true, 1_000, metrics, "node-1")) {
                for (int i = 0; i < 30; i++) {
                    sent.add("reset " + i);
                    worker.offer(reset("shop", "web-" + (i % 3), "reset " + i));
                    if (i == 10) {
                        await(() -> server.requests().size() >= 3, "Loki asked several times while it answers 503");
                    }
                }
                assertTrue(server.accepted().isEmpty());
                server.answer(204);
                await(() -> metrics.sent(sink.name()) == 30, "all events delivered once Loki is back");
            }
            List<String> arrived = entries(server.accepted()).stream().map(e -> e.event().message()).sorted().toList();
            assertEquals(sent.stream().sorted().toList(), arrived, "every event exactly once");
            assertEquals(0, metrics.dropped("rejected", sink.name()));
            assertEquals(0, metrics.dropped("sink_queue", sink.name()));
            assertTrue(metrics.errors(sink.name()) >= 3);
        }
    }

    @Test
    void eventsMadeWhileLokiIsNotListeningArriveOnceItListens() throws Exception {
        int port;
        try (ServerSocket probe = new ServerSocket(0)) {
            port = probe.getLocalPort();
        }
        EventMetrics metrics = EventMetrics.unregistered();
        EventSink sink = SinkFactory.create(spec("loki", Map.of("url", "http://127.0.0.1:" + port, "batchWait", "50ms",
                "timeout", "2s")), new SinkContext("node-1"));
        try (SinkWorker worker = new SinkWorker(sink, e -> true, 1_000, metrics, "node-1")) {
            for (int i = 0; i < 10; i++) {
                worker.offer(reset("shop", "web", "reset " + i));
            }
            await(() -> metrics.errors(sink.name()) >= 2, "connections refused, retried");
            try (HttpStandIn server = new HttpStandIn(port, PUSH, 204)) {
                await(() -> metrics.sent(sink.name()) == 10, "the events delivered once Loki listens");
                assertEquals(10, entries(server.accepted()).size());
            }
        }
        assertEquals(0, metrics.dropped("rejected", sink.name()));
    }

    @Test
    void aBatchLokiRefusesWith400IsDroppedAndCountedNotRetried() throws Exception {
        EventMetrics metrics = EventMetrics.unregistered();
        try (HttpStandIn server = new HttpStandIn(PUSH, 400)) {
            EventSink sink = loki(server, Map.of());
            try (SinkWorker worker = new SinkWorker(sink, e -> true, 1_000, metrics, "node-1")) {
                for (int round = 1; round <= 3; round++) {
                    worker.offer(reset("shop", "web", "round " + round + " a"));
                    worker.offer(reset("shop", "web", "round " + round + " b"));
                    int expected = 2 * round;
                    await(() -> metrics.dropped("rejected", sink.name()) == expected, "round " + expected / 2 + " dropped");
                }
            }
            List<String> seen = entries(server.requests()).stream().map(e -> e.event().message()).sorted().toList();
            assertEquals(List.of("round 1 a", "round 1 b", "round 2 a", "round 2 b", "round 3 a", "round 3 b"), seen,
                    "each refused batch was sent once");
            assertEquals(0, metrics.sent(sink.name()));
        }
    }

    @Test
    void overloadAndServerErrorsAreRetryableOther4xxAreNot() throws Exception {
        for (int status : new int[] {429, 500, 502, 503, 504}) {
            assertTrue(HttpPush.retryable(status), "retry " + status);
        }
        for (int status : new int[] {400, 401, 403, 404, 413}) {
            assertFalse(HttpPush.retryable(status), "drop " + status);
        }
        try (HttpStandIn server = new HttpStandIn(PUSH, 429); EventSink sink = loki(server, Map.of())) {
            EventSink.SinkException e = assertThrows(EventSink.SinkException.class, () -> sink.send(List.of(reset("a", "b", "c"))));
            assertTrue(e.retryable());
            assertTrue(e.getMessage().contains("429"), e.getMessage());
            server.answer(401);
            e = assertThrows(EventSink.SinkException.class, () -> sink.send(List.of(reset("a", "b", "c"))));
            assertFalse(e.retryable());
        }
    }

    @Test
    void nameAndBatchingFollowTheConfig() throws Exception {
        try (HttpStandIn server = new HttpStandIn(PUSH, 204);
             EventSink sink = loki(server, Map.of("batchSize", 200, "batchWait", "2s"))) {
            assertEquals("loki:" + server.url(), sink.name());
            assertEquals(200, sink.maxBatch());
            assertEquals(java.time.Duration.ofSeconds(2), sink.maxDelay());
        }
    }
}
