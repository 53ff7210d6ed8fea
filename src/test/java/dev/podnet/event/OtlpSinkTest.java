package dev.podnet.event;

import static dev.podnet.event.SinkTesting.await;
import static dev.podnet.event.SinkTesting.event;
import static dev.podnet.event.SinkTesting.reset;
import static dev.podnet.event.SinkTesting.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.ServerSocket;
import java.time.Instant;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The OTLP sink against a stand-in collector that checks OTLP/HTTP JSON's logs export request. */
class OtlpSinkTest {
    private static final String LOGS = "/v1/logs";
    private static final Set<String> ANY_VALUE = Set.of("stringValue", "boolValue", "intValue", "doubleValue", "arrayValue",
            "kvlistValue", "bytesValue");

    private static EventSink otlp(HttpStandIn server, Map<String, Object> more) throws Exception {
        Map<String, Object> settings = new HashMap<>(more);
        settings.put("url", server.url());
        settings.putIfAbsent("batchWait", "50ms");
        return SinkFactory.create(spec("otlp", settings), new SinkContext("node-1"));
    }

    /** The attributes list as key -> the AnyValue, checking that each holds exactly one typed value. */
    private static Map<String, JsonNode> attributes(JsonNode list) {
        assertTrue(list.isArray(), "attributes are a list of KeyValue: " + list);
        Map<String, JsonNode> out = new LinkedHashMap<>();
        for (JsonNode kv : list) {
            assertTrue(kv.get("key").isTextual(), "KeyValue.key: " + kv);
            JsonNode value = kv.get("value");
            assertEquals(1, value.size(), "one AnyValue field: " + kv);
            String kind = value.fieldNames().next();
            assertTrue(ANY_VALUE.contains(kind), "an AnyValue field: " + kind);
            if (kind.equals("intValue")) {
                assertTrue(value.get(kind).isTextual() && value.get(kind).asText().matches("-?\\d+"), "int64 as a decimal string: " + kv);
            }
            if (kind.equals("doubleValue")) {
                assertTrue(value.get(kind).isNumber(), "double as a number: " + kv);
            }
            if (kind.equals("stringValue") || kind.equals("boolValue")) {
                assertTrue(kind.equals("stringValue") ? value.get(kind).isTextual() : value.get(kind).isBoolean(), kv.toString());
            }
            assertNull(out.put(kv.get("key").asText(), value), "keys unique: " + kv);
        }
        return out;
    }

    @Test
    void exportRequestHasOtlpFieldNamesAndTypedValues() throws Exception {
        Instant t = Instant.ofEpochSecond(1_760_000_000L, 987_654_321);
        Event warning = event(t, "TCP_RESET_NO_SOCKET", "warning", "shop", "web-7d9f",
                Map.of("daddr", "10.244.2.9", "dport", 8080, "count", 3L), "reset by 10.244.2.9:8080: no socket");
        Event info = event(t.plusMillis(5), "TCP_RESET_RECEIVED", "info", "shop", "db-0", Map.of("rtt_seconds", 0.0015, "ok", true),
                "reset received");
        Event nodeWide = event(t, "SOFTIRQ_SLOW", "warning", "", "", Map.of("cpu", 3), "softirq slow");
        try (HttpStandIn server = new HttpStandIn(LOGS, 200);
             EventSink sink = otlp(server, Map.of("headers", Map.of("Authorization", "Bearer t0ken", "X-Tenant", "a")))) {
            server.answerBody("{}");
            sink.send(List.of(warning, info, nodeWide));

            HttpStandIn.Request r = server.requests().getFirst();
            assertEquals("POST", r.method());
            assertEquals(LOGS, r.path());
            assertEquals("application/json", r.header("Content-Type"));
            assertEquals("gzip", r.header("Content-Encoding"));
            assertEquals("Bearer t0ken", r.header("Authorization"));
            assertEquals("a", r.header("X-Tenant"));

            JsonNode root = EventJson.mapper().readTree(r.body());
            assertEquals(Set.of("resourceLogs"), fieldNames(root));
            JsonNode resourceLogs = root.get("resourceLogs").get(0);
            Map<String, JsonNode> resource = attributes(resourceLogs.get("resource").get("attributes"));
            assertEquals("podnet", resource.get("service.name").get("stringValue").asText());
            assertEquals("node-1", resource.get("host.name").get("stringValue").asText());
            assertEquals("node-1", resource.get("k8s.node.name").get("stringValue").asText());
            JsonNode scopeLogs = resourceLogs.get("scopeLogs").get(0);
            assertEquals("podnet", scopeLogs.get("scope").get("name").asText());
            JsonNode records = scopeLogs.get("logRecords");
            assertEquals(3, records.size());

            JsonNode first = records.get(0);
            assertTrue(first.get("timeUnixNano").isTextual(), "fixed64 as a string");
            assertEquals("1760000000987654321", first.get("timeUnixNano").asText());
            assertTrue(first.get("observedTimeUnixNano").isTextual());
            assertTrue(first.get("severityNumber").isInt(), "the enum as its number");
            assertEquals(13, first.get("severityNumber").asInt());
            assertEquals("WARN", first.get("severityText").asText());
            assertEquals("reset by 10.244.2.9:8080: no socket", first.get("body").get("stringValue").asText());
            Map<String, JsonNode> a = attributes(first.get("attributes"));
            assertEquals("TCP_RESET_NO_SOCKET", a.get("podnet.type").get("stringValue").asText());
            assertEquals("tcpreset", a.get("podnet.probe").get("stringValue").asText());
            assertEquals("4026532000", a.get("podnet.netns").get("intValue").asText());
            assertEquals("shop", a.get("k8s.namespace.name").get("stringValue").asText());
            assertEquals("web-7d9f", a.get("k8s.pod.name").get("stringValue").asText());
            assertEquals("10.244.2.9", a.get("daddr").get("stringValue").asText());
            assertEquals("8080", a.get("dport").get("intValue").asText());
            assertEquals("3", a.get("count").get("intValue").asText());

            JsonNode second = records.get(1);
            assertEquals(9, second.get("severityNumber").asInt());
            assertEquals("INFO", second.get("severityText").asText());
            Map<String, JsonNode> b = attributes(second.get("attributes"));
            assertEquals(0.0015, b.get("rtt_seconds").get("doubleValue").asDouble());
            assertTrue(b.get("ok").get("boolValue").asBoolean());

            Map<String, JsonNode> c = attributes(records.get(2).get("attributes"));
            assertFalse(c.containsKey("k8s.pod.name") || c.containsKey("k8s.namespace.name") || c.containsKey("podnet.netns"),
                    "a node-wide event names no pod: " + c);
        }
    }

    @Test
    void unavailableCollectorIsRetriedRefusalIsDroppedAndCounted() throws Exception {
        EventMetrics metrics = EventMetrics.unregistered();
        try (HttpStandIn server = new HttpStandIn(LOGS, 503)) {
            EventSink sink = otlp(server, Map.of());
            try (SinkWorker worker = new SinkWorker(sink, e -> true, 1_000, metrics, "node-1")) {
                for (int i = 0; i < 5; i++) {
                    worker.offer(reset("shop", "web", "reset " + i));
                }
                await(() -> server.requests().size() >= 2, "the collector asked again");
                server.answer(200);
                await(() -> metrics.sent(sink.name()) == 5, "delivered once it is back");
                server.answer(400);
                worker.offer(reset("shop", "web", "refused"));
                await(() -> metrics.dropped("rejected", sink.name()) == 1, "refused batch dropped and counted");
            }
            assertEquals(1, server.requests().stream().filter(r -> r.answered() == 400).count(), "not retried");
            long delivered = server.accepted().stream().mapToLong(r -> {
                try {
                    return EventJson.mapper().readTree(r.body()).at("/resourceLogs/0/scopeLogs/0/logRecords").size();
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }).sum();
            assertEquals(5, delivered);
        }
    }

    @Test
    void connectionRefusedIsRetryable() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (EventSink sink = SinkFactory.create(spec("otlp", Map.of("url", "http://127.0.0.1:" + port)), new SinkContext("n"))) {
            EventSink.SinkException e = assertThrows(EventSink.SinkException.class, () -> sink.send(List.of(reset("a", "b", "c"))));
            assertTrue(e.retryable(), e.getMessage());
        }
    }

    private static Set<String> fieldNames(JsonNode node) {
        Set<String> names = new java.util.HashSet<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
