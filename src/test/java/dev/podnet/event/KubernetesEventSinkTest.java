package dev.podnet.event;

import static dev.podnet.event.SinkTesting.await;
import static dev.podnet.event.SinkTesting.event;
import static dev.podnet.event.SinkTesting.reset;
import static dev.podnet.event.SinkTesting.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.testing.MockCluster;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.events.v1.Event;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The kubernetes sink against fabric8's mock API server in CRUD mode: events.k8s.io/v1 Events as they are stored. */
class KubernetesEventSinkTest {
    private static final String MICRO_TIME = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{6}Z";

    private MockCluster cluster;
    private Pod web;

    @BeforeEach
    void start() throws Exception {
        cluster = new MockCluster();
        web = cluster.runPod("shop", "web", "node-1", false, List.of("10.244.1.7"), Map.of("app", "web"));
        cluster.runPod("shop", "api", "node-1", false, List.of("10.244.1.8"), Map.of("app", "api"));
    }

    @AfterEach
    void stop() throws Exception {
        cluster.close();
    }

    private SinkContext context(KubernetesClient client) {
        return new SinkContext("node-1", () -> client, (namespace, pod) -> {
            Pod p = client.pods().inNamespace(namespace).withName(pod).get();
            return p == null ? "" : p.getMetadata().getUid();
        });
    }

    private EventSink sink() throws Exception {
        return SinkFactory.create(spec("kubernetes", Map.of()), context(cluster.client()));
    }

    private List<Event> events(String namespace) {
        return cluster.client().events().v1().events().inNamespace(namespace).list().getItems();
    }

    private static void sendEach(EventSink sink, List<dev.podnet.event.Event> events) throws EventSink.SinkException {
        for (dev.podnet.event.Event e : events) {
            sink.send(List.of(e));
        }
    }

    @Test
    void anEventAboutAPodRegardsThePodWithReasonTypeAndReporter() throws Exception {
        try (EventSink sink = sink()) {
            sink.send(List.of(reset("shop", "web", "reset sent to 10.244.2.9:8080: no socket")));
            sink.send(List.of(event(Instant.now(), "TCP_RESET_RECEIVED", "info", "shop", "api", Map.of(), "reset received")));
        }
        List<Event> events = events("shop");
        assertEquals(2, events.size());
        Event e = events.stream().filter(x -> x.getRegarding().getName().equals("web")).findFirst().orElseThrow();
        assertEquals("events.k8s.io/v1", e.getApiVersion());
        assertEquals("Pod", e.getRegarding().getKind());
        assertEquals("v1", e.getRegarding().getApiVersion());
        assertEquals("shop", e.getRegarding().getNamespace());
        assertEquals(web.getMetadata().getUid(), e.getRegarding().getUid());
        assertTrue(e.getMetadata().getName().startsWith("web."), e.getMetadata().getName());
        assertEquals("TcpResetNoSocket", e.getReason());
        assertEquals("Warning", e.getType());
        assertEquals("podnet.dev/agent", e.getReportingController());
        assertEquals("node-1", e.getReportingInstance());
        assertEquals("Observed", e.getAction());
        assertEquals("reset sent to 10.244.2.9:8080: no socket", e.getNote());
        assertTrue(e.getEventTime().getTime().matches(MICRO_TIME), "eventTime with microseconds: " + e.getEventTime().getTime());
        assertNull(e.getSeries());

        Event info = events.stream().filter(x -> x.getRegarding().getName().equals("api")).findFirst().orElseThrow();
        assertEquals("Normal", info.getType());
        assertEquals("TcpResetReceived", info.getReason());
    }

    @Test
    void aNodeWideEventRegardsTheNodeInTheDefaultNamespace() throws Exception {
        try (EventSink sink = sink()) {
            sink.send(List.of(event(Instant.now(), "CONNTRACK_TABLE_FULL", "warning", "", "", Map.of("count", 12L),
                    "12 packets dropped because the conntrack table was full")));
        }
        List<Event> events = events("default");
        assertEquals(1, events.size());
        Event e = events.getFirst();
        assertEquals("Node", e.getRegarding().getKind());
        assertEquals("node-1", e.getRegarding().getName());
        assertNull(e.getRegarding().getNamespace());
        assertEquals("ConntrackTableFull", e.getReason());
        assertTrue(events("shop").isEmpty());
    }

    @Test
    void tenRepeatsMakeOneEventWithASeriesOfTen() throws Exception {
        try (EventSink sink = sink()) {
            for (int i = 0; i < 10; i++) {
                sink.send(List.of(reset("shop", "web", "reset " + i)));
            }
            sink.send(List.of(event(Instant.now(), "PACKET_DROP", "warning", "shop", "web", Map.of(), "dropped")));
        }
        List<Event> events = events("shop");
        assertEquals(2, events.size(), "one Event per (pod, type)");
        Event resets = events.stream().filter(e -> e.getReason().equals("TcpResetNoSocket")).findFirst().orElseThrow();
        assertEquals(10, resets.getSeries().getCount());
        assertTrue(resets.getSeries().getLastObservedTime().getTime().matches(MICRO_TIME));
        assertEquals("reset 0", resets.getNote(), "the note is the first occurrence's");
        Event drop = events.stream().filter(e -> e.getReason().equals("PacketDrop")).findFirst().orElseThrow();
        assertNull(drop.getSeries());
    }

    @Test
    void aBurstBeyondTheLimitPerObjectIsDroppedAndCounted() throws Exception {
        EventMetrics metrics = EventMetrics.unregistered();
        EventsConfig.SinkSpec spec = spec("kubernetes", Map.of());
        try (SinkWorker worker = new SinkWorker(SinkFactory.create(spec, context(cluster.client())), SinkFactory.filter(spec), 1_000,
                metrics, "node-1")) {
            for (int i = 0; i < 40; i++) {
                worker.offer(reset("shop", "web", "reset " + i));
            }
            worker.offer(event(Instant.now(), "TCP_RESET_RECEIVED", "info", "shop", "web", Map.of(), "not a warning"));
            worker.offer(reset("shop", "api", "another pod has its own budget"));
            await(() -> metrics.sent("kubernetes") + metrics.dropped("rejected", "kubernetes") == 41, "every event handled");
        }
        assertEquals(26, metrics.sent("kubernetes"), "the burst of 25 for web, and api's");
        assertEquals(15, metrics.dropped("rejected", "kubernetes"));
        List<Event> events = events("shop");
        assertEquals(2, events.size(), "no info event by default: " + events);
        Event web = events.stream().filter(e -> e.getRegarding().getName().equals("web")).findFirst().orElseThrow();
        assertEquals(25, web.getSeries().getCount(), "one write per event that passed: a create and 24 updates");
    }

    @Test
    void theBudgetRefillsSlowlyAndASeriesEndsAfterTenQuietMinutes() throws Exception {
        MutableClock clock = new MutableClock();
        try (EventSink sink = new KubernetesEventSink(context(cluster.client()), clock)) {
            for (int i = 0; i < 25; i++) {
                sink.send(List.of(reset("shop", "web", "reset " + i)));
            }
            EventSink.SinkException refused = assertThrows(EventSink.SinkException.class,
                    () -> sink.send(List.of(reset("shop", "web", "one too many"))));
            assertFalse(refused.retryable());
            clock.advance(Duration.ofMinutes(5));
            sink.send(List.of(reset("shop", "web", "one more after five minutes")));
            assertThrows(EventSink.SinkException.class, () -> sink.send(List.of(reset("shop", "web", "and not two"))));
            assertEquals(26, events("shop").getFirst().getSeries().getCount());

            clock.advance(Duration.ofMinutes(11));
            sink.send(List.of(reset("shop", "web", "a new series")));
        }
        List<Event> events = events("shop");
        assertEquals(2, events.size(), "a repeat after ten quiet minutes starts a new Event");
        assertTrue(events.stream().anyMatch(e -> "a new series".equals(e.getNote()) && e.getSeries() == null));
    }

    @Test
    void aSeriesWhoseEventWasDeletedStartsAgain() throws Exception {
        try (EventSink sink = sink()) {
            sink.send(List.of(reset("shop", "web", "first")));
            String first = events("shop").getFirst().getMetadata().getName();
            cluster.client().events().v1().events().inNamespace("shop").withName(first).delete();
            await(() -> events("shop").isEmpty(), "the Event deleted (as the API server's TTL does)");
            sink.send(List.of(reset("shop", "web", "after the TTL")));
            List<Event> events = events("shop");
            assertEquals(1, events.size());
            assertNotEquals(first, events.getFirst().getMetadata().getName());
            assertEquals("after the TTL", events.getFirst().getNote());
        }
    }

    @Test
    void anUnreachableApiServerIsRetryable() throws Exception {
        KubernetesClient impatient = new KubernetesClientBuilder().withConfig(new ConfigBuilder(cluster.client().getConfiguration())
                .withRequestRetryBackoffLimit(0).withConnectionTimeout(2_000).withRequestTimeout(2_000).build()).build();
        try (impatient; EventSink sink = SinkFactory.create(spec("kubernetes", Map.of()), context(impatient))) {
            sendEach(sink, List.of(reset("shop", "web", "while up")));
            cluster.stopServer();
            EventSink.SinkException e = assertThrows(EventSink.SinkException.class,
                    () -> sink.send(List.of(event(Instant.now(), "PACKET_DROP", "warning", "", "", Map.of(), "while down"))));
            assertTrue(e.retryable(), e.getMessage());
        }
    }

    @Test
    void withoutTheKubernetesApiTheSinkDoesNotStart() {
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> SinkFactory.create(spec("kubernetes", Map.of()), new SinkContext("node-1")));
        assertTrue(e.getMessage().contains("host mode"), e.getMessage());
    }

    @Test
    void reasonIsTheTypeInCamelCaseAndTheNoteFitsOneKibibyte() {
        assertEquals("TcpResetNoSocket", KubernetesEventSink.reason("TCP_RESET_NO_SOCKET"));
        assertEquals("EventsLost", KubernetesEventSink.reason("EVENTS_LOST"));
        String note = KubernetesEventSink.note("é".repeat(2_000));
        assertTrue(note.getBytes(StandardCharsets.UTF_8).length <= 1024, "" + note.length());
        assertTrue(note.endsWith("..."));
        assertEquals("short", KubernetesEventSink.note("short"));
        assertEquals("2025-10-09T08:53:20.123456Z", KubernetesEventSink.microTime(Instant.ofEpochSecond(1_760_000_000L, 123_456_789)));
    }

    private static final class MutableClock extends Clock {
        private Instant now = Instant.now();

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public ZoneId getZone() {
            return ZoneId.of("UTC");
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
