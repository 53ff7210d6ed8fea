package dev.podnet.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.probe.EventTypes;
import dev.podnet.probe.ProbeEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The bus: pods named, floods folded into counts, streams resumed and told of what they lost. */
class EventBusTest {
    private final EventMetrics metrics = EventMetrics.unregistered();

    @Test
    void aFloodPassesItsBurstThenOneEventCarryingTheCountOfTheRest() throws Exception {
        EventBus bus = new EventBus("node-1", metrics);
        bus.configure(EventsConfig.of(Map.of("rateLimit", Map.of("burst", 5, "perSecond", 0.001))));
        bus.setAttribution(netns -> netns == 7 ? new String[] {"shop", "web"} : new String[] {"", ""});
        try (Subscription stream = bus.subscribe(e -> true, -1)) {
            for (int i = 0; i < 1000; i++) {
                bus.emit(reset(7));
            }
            bus.emit(reset(8)); // another pod has a bucket of its own
            List<Event> got = drain(stream);
            assertEquals(6, got.size(), "web's burst of 5, then the other pod's first");
            assertEquals("shop", got.getFirst().namespace());
            assertEquals("web", got.getFirst().pod());
            assertEquals("warning", got.getFirst().severity());
            assertEquals(995, metrics.rateLimited.labelValues(EventTypes.TCP_RESET_NO_SOCKET).get());
            assertEquals(1000 + 1, metrics.events.labelValues(EventTypes.TCP_RESET_NO_SOCKET).get());
        }
    }

    @Test
    void theEventAfterARateLimitCountsTheOnesHeldBack() {
        RateLimiter limiter = new RateLimiter(2, 1, 100);
        long t = 0;
        assertEquals(1, limiter.admit("k", t));
        assertEquals(1, limiter.admit("k", t));
        assertEquals(0, limiter.admit("k", t));
        assertEquals(0, limiter.admit("k", t));
        assertEquals(3, limiter.admit("k", t + 1_000_000_000L), "itself and the two held back");
    }

    @Test
    void aResumingStreamGetsWhatItMissedAndIsToldWhatIsNoLongerKept() throws Exception {
        EventBus bus = new EventBus("node-1", metrics);
        bus.configure(EventsConfig.of(Map.of("recent", 10, "rateLimit", Map.of("burst", 1000, "perSecond", 1000))));
        for (int i = 0; i < 30; i++) {
            bus.emit(reset(7));
        }
        try (Subscription resumed = bus.subscribe(e -> true, 25)) {
            List<Event> got = drain(resumed);
            assertEquals(List.of(26L, 27L, 28L, 29L, 30L), got.stream().map(Event::id).toList());
        }
        try (Subscription late = bus.subscribe(e -> true, 5)) {
            List<Event> got = drain(late);
            assertEquals(EventTypes.EVENTS_LOST, got.getFirst().type());
            assertEquals(15L, got.getFirst().fields().get("count"), "ids 6..20 are no longer kept");
            assertEquals(21L, got.get(1).id());
        }
    }

    @Test
    void aSlowStreamLosesEventsCountedAndIsToldSo() throws Exception {
        EventBus bus = new EventBus("node-1", metrics);
        bus.configure(EventsConfig.of(Map.of("rateLimit", Map.of("burst", 100_000, "perSecond", 100_000))));
        try (Subscription slow = bus.subscribe(e -> true, -1)) {
            for (int i = 0; i < EventBus.STREAM_QUEUE + 50; i++) {
                bus.emit(reset(7));
            }
            Event first = slow.poll(1, TimeUnit.SECONDS);
            assertEquals(EventTypes.EVENTS_LOST, first.type());
            assertEquals(50L, first.fields().get("count"));
            assertEquals(50, metrics.dropped("stream", "events"));
        }
    }

    @Test
    void typesNotConfiguredAreNotMade() throws Exception {
        EventBus bus = new EventBus("node-1", metrics);
        bus.configure(EventsConfig.of(Map.of("types", List.of(EventTypes.PACKET_DROP))));
        try (Subscription stream = bus.subscribe(e -> true, -1)) {
            bus.emit(reset(7));
            assertNull(stream.poll(50, TimeUnit.MILLISECONDS));
            assertTrue(!bus.wants(EventTypes.TCP_RESET_NO_SOCKET) && bus.wants(EventTypes.PACKET_DROP));
        }
    }

    @Test
    void anEventOfAPodNotAttributedYetWaitsForItsPod() throws Exception {
        EventBus bus = new EventBus("node-1", metrics);
        java.util.concurrent.atomic.AtomicBoolean attributed = new java.util.concurrent.atomic.AtomicBoolean();
        bus.setAttribution(netns -> attributed.get() && netns == 7 ? new String[] {"shop", "new-pod"} : new String[] {"", ""});
        java.util.concurrent.atomic.AtomicInteger refreshes = new java.util.concurrent.atomic.AtomicInteger();
        bus.setLateAttribution(netns -> netns != 1, () -> {
            refreshes.incrementAndGet();
            attributed.set(true); // the refresh finds the pod
        }, java.time.Duration.ofSeconds(3));
        try (Subscription stream = bus.subscribe(e -> true, -1)) {
            bus.emit(reset(7));
            bus.emit(reset(1)); // the host's namespace never waits
            Event first = stream.poll(5, TimeUnit.SECONDS);
            Event second = stream.poll(5, TimeUnit.SECONDS);
            assertEquals("", first.pod(), "the host's event at once");
            assertEquals(List.of("shop", "new-pod"), List.of(second.namespace(), second.pod()), "the pod's, attributed late");
            assertEquals(1, refreshes.get());
        } finally {
            bus.close();
        }
    }

    static ProbeEvent reset(long netns) {
        return new ProbeEvent(EventTypes.TCP_RESET_NO_SOCKET, "tcpreset", netns,
                Map.of("saddr", "10.0.0.1", "sport", 80, "daddr", "10.0.0.2", "dport", 40000), "reset sent: no socket");
    }

    static List<Event> drain(Subscription s) throws InterruptedException {
        List<Event> events = new ArrayList<>();
        Event e;
        while ((e = s.poll(100, TimeUnit.MILLISECONDS)) != null) {
            events.add(e);
        }
        return events;
    }
}
