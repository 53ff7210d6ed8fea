package dev.podnet.event;

import static dev.podnet.event.SinkTesting.reset;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The loki, otlp and kubernetes sinks' keys in the config: what is taken, and errors that name the key. */
class SinkConfigTest {

    private static EventsConfig config(Map<?, ?>... sinks) {
        return EventsConfig.of(Map.of("sinks", List.of(sinks)));
    }

    private static void refused(String field, Map<?, ?>... sinks) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> config(sinks));
        assertTrue(e.getMessage().startsWith(field + ":"), "expected an error naming " + field + ", got: " + e.getMessage());
    }

    private static Map<String, Object> sink(Object... keyValues) {
        Map<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put((String) keyValues[i], keyValues[i + 1]);
        }
        return m;
    }

    @Test
    void validSinksAreTakenWithTheirDefaults() {
        EventsConfig config = config(
                sink("type", "loki", "url", "http://loki.monitoring:3100"),
                sink("type", "otlp", "url", "https://otel-collector:4318/", "headers", Map.of("Authorization", "Bearer x")),
                sink("type", "kubernetes"));
        assertEquals(3, config.sinks().size());
        LokiSink.Settings loki = LokiSink.Settings.of(config.sinks().get(0));
        assertEquals(URI.create("http://loki.monitoring:3100/loki/api/v1/push"), loki.push());
        assertEquals(500, loki.batchSize());
        assertEquals(Duration.ofSeconds(1), loki.batchWait());
        assertEquals(Duration.ofSeconds(10), loki.timeout());
        OtlpSink.Settings otlp = OtlpSink.Settings.of(config.sinks().get(1));
        assertEquals(URI.create("https://otel-collector:4318/v1/logs"), otlp.logs());
        assertEquals(Map.of("Authorization", "Bearer x"), otlp.headers());
        assertFalse(otlp.toString().contains("Bearer"), "no credentials in messages: " + otlp);

        var kubernetes = SinkFactory.filter(config.sinks().get(2));
        assertTrue(kubernetes.test(reset("shop", "web", "warning")));
        assertFalse(kubernetes.test(SinkTesting.event(Instant.now(), "TCP_RESET_RECEIVED", "info", "shop", "web", Map.of(), "info")),
                "Kubernetes Events only for warnings unless types says otherwise");
    }

    @Test
    void aGatewayPrefixIsKeptAndCredentialsStayOutOfMessages() {
        LokiSink.Settings loki = LokiSink.Settings.of(config(sink("type", "loki", "url", "https://gw.example/tenant-a/", "tenant", "a",
                "basicAuth", Map.of("username", "u", "password", "hunter2"), "batchSize", 100, "batchWait", "250ms",
                "timeout", "30s")).sinks().getFirst());
        assertEquals(URI.create("https://gw.example/tenant-a/loki/api/v1/push"), loki.push());
        assertEquals("a", loki.tenant());
        assertEquals(100, loki.batchSize());
        assertEquals(Duration.ofMillis(250), loki.batchWait());
        assertEquals(Duration.ofSeconds(30), loki.timeout());
        assertFalse(loki.toString().contains("hunter2"));
    }

    @Test
    void unknownKeysAreNamed() {
        refused("events.sinks[0].labels", sink("type", "loki", "url", "http://loki:3100", "labels", Map.of("pod", "x")));
        refused("events.sinks[1].compression", sink("type", "log"), sink("type", "otlp", "url", "http://c:4318", "compression", "none"));
        refused("events.sinks[0].url", sink("type", "kubernetes", "url", "http://api"));
        refused("events.sinks[0].basicAuth.token", sink("type", "loki", "url", "http://loki:3100", "basicAuth", Map.of("token", "t")));
    }

    @Test
    void aMissingOrBadUrlIsNamed() {
        refused("events.sinks[0].url", sink("type", "loki"));
        refused("events.sinks[0].url", sink("type", "otlp"));
        refused("events.sinks[0].url", sink("type", "loki", "url", "ftp://loki:3100"));
        refused("events.sinks[0].url", sink("type", "otlp", "url", "grpc://collector:4317"));
        refused("events.sinks[0].url", sink("type", "loki", "url", "loki:3100"));
        refused("events.sinks[0].url", sink("type", "loki", "url", "http://user:pw@loki:3100"));
        refused("events.sinks[0].url", sink("type", "loki", "url", "http://loki:3100/?x=1"));
        refused("events.sinks[0].url", sink("type", "loki", "url", "http://loki host"));
        refused("events.sinks[0].url", sink("type", "loki", "url", 3100));
    }

    @Test
    void badValuesAreNamed() {
        refused("events.sinks[0].basicAuth", sink("type", "loki", "url", "http://l", "basicAuth", Map.of("username", "u")));
        refused("events.sinks[0].basicAuth", sink("type", "loki", "url", "http://l", "basicAuth",
                Map.of("username", "u", "password", "p", "passwordFile", "/f")));
        refused("events.sinks[0].basicAuth.username", sink("type", "loki", "url", "http://l", "basicAuth", Map.of("password", "p")));
        refused("events.sinks[0].basicAuth", sink("type", "loki", "url", "http://l", "basicAuth", "u:p"));
        refused("events.sinks[0].tenant", sink("type", "loki", "url", "http://l", "tenant", ""));
        refused("events.sinks[0].batchSize", sink("type", "loki", "url", "http://l", "batchSize", 0));
        refused("events.sinks[0].batchWait", sink("type", "loki", "url", "http://l", "batchWait", "soon"));
        refused("events.sinks[0].timeout", sink("type", "otlp", "url", "http://c", "timeout", "0s"));
        refused("events.sinks[0].headers", sink("type", "otlp", "url", "http://c", "headers", List.of("a")));
        refused("events.sinks[0].headers.Content-Type", sink("type", "otlp", "url", "http://c", "headers", Map.of("Content-Type", "x")));
        refused("events.sinks[0].headers.bad header", sink("type", "otlp", "url", "http://c", "headers", Map.of("bad header", "x")));
        refused("events.sinks[0].headers.X-Key", sink("type", "otlp", "url", "http://c", "headers", Map.of("X-Key", List.of())));
    }
}
