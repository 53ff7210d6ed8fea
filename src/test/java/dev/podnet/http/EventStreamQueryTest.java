package dev.podnet.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.event.Event;
import dev.podnet.probe.EventTypes;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The parameters of {@code /events}. */
class EventStreamQueryTest {

    private static Event event(String type, String namespace, String pod) {
        return new Event(1, Instant.now(), "n", type, "warning", "test", 7, namespace, pod, Map.of(), "m");
    }

    @Test
    void commaListsAndRepeatsAddUpAndTypesIgnoreCase() {
        EventStreamQuery q = EventStreamQuery.parse("type=packet_drop,TCP_RESET_ACTIVE&type=CONNECT_FAILED&namespace=a%2Cb&pod=x", null);
        assertEquals(Set.of("PACKET_DROP", "TCP_RESET_ACTIVE", "CONNECT_FAILED"), q.types());
        assertEquals(Set.of("a", "b"), q.namespaces());
        assertEquals(Set.of("x"), q.pods());
        assertEquals(-1, q.afterId());
        assertTrue(q.test(event(EventTypes.PACKET_DROP, "b", "x")));
        assertFalse(q.test(event(EventTypes.PACKET_DROP, "c", "x")));
        assertFalse(q.test(event(EventTypes.SOFTIRQ_SLOW, "a", "x")));
        assertTrue(q.test(event(EventTypes.EVENTS_LOST, "", "")), "a filtered stream still says it has gaps");
    }

    @Test
    void noParametersPassEverything() {
        EventStreamQuery q = EventStreamQuery.parse(null, null);
        assertTrue(q.test(event(EventTypes.SOFTIRQ_SLOW, "", "")));
        assertTrue(q.test(event(EventTypes.PACKET_DROP, "a", "p")));
    }

    @Test
    void theHeaderWinsOverTheParameter() {
        assertEquals(12, EventStreamQuery.parse("lastEventId=12", null).afterId());
        assertEquals(40, EventStreamQuery.parse("lastEventId=12", "40").afterId());
        assertEquals(12, EventStreamQuery.parse("lastEventId=12", " ").afterId());
    }

    @Test
    void mistakesAreNamed() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> EventStreamQuery.parse("type=TCP_RST", null))
                .getMessage().contains("TCP_RST"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> EventStreamQuery.parse("podname=x", null))
                .getMessage().contains("podname"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> EventStreamQuery.parse(null, "-3"))
                .getMessage().contains("Last-Event-ID"));
    }
}
