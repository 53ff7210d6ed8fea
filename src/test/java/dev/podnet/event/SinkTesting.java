package dev.podnet.event;

import static org.junit.jupiter.api.Assertions.fail;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;

/** Events and waiting for the sink tests. */
final class SinkTesting {
    static final Duration PATIENCE = Duration.ofSeconds(60);

    private SinkTesting() {
    }

    static Event event(Instant time, String type, String severity, String namespace, String pod, Map<String, Object> fields,
                       String message) {
        return new Event(0, time, "node-1", type, severity, "tcpreset", namespace.isEmpty() ? 0 : 4026532000L, namespace, pod,
                fields, message);
    }

    static Event reset(String namespace, String pod, String message) {
        return event(Instant.now(), "TCP_RESET_NO_SOCKET", "warning", namespace, pod,
                Map.of("saddr", "10.244.1.7", "sport", 41234, "daddr", "10.244.2.9", "dport", 8080), message);
    }

    /** Waits for the condition, failing with {@code what} after a generous time (the condition is the test, not the time). */
    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + PATIENCE.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                fail("not within " + PATIENCE.toSeconds() + "s: " + what);
            }
            Thread.sleep(20);
        }
    }

    static EventsConfig.SinkSpec spec(String type, Map<String, Object> settings) {
        return new EventsConfig.SinkSpec(type, null, settings, "events.sinks[0]");
    }

    static List<String> messages(List<Event> events) {
        return events.stream().map(Event::message).toList();
    }
}
