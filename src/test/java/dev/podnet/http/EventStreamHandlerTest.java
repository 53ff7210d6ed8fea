package dev.podnet.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.event.Event;
import dev.podnet.event.EventBus;
import dev.podnet.probe.EventTypes;
import dev.podnet.probe.ProbeEvent;
import dev.podnet.testing.RawStream;
import dev.podnet.testing.SseClient;
import dev.podnet.testing.TestAgent;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@code /events} of a running agent, read the way an SSE client reads it. */
class EventStreamHandlerTest {
    static final String CONFIG = """
            probes: [netdev]
            kubernetes: false
            events: {rateLimit: {burst: 100000, perSecond: 100000}}
            """;

    private TestAgent agent;
    private EventBus bus;

    @BeforeEach
    void start() throws Exception {
        agent = TestAgent.start(CONFIG);
        bus = agent.agent().events();
        // netns 1 and 4 are pods of namespace a, 2 and 3 of b; other namespaces belong to no pod
        Map<Long, String[]> pods = Map.of(1L, new String[] {"a", "p1"}, 2L, new String[] {"b", "p2"},
                3L, new String[] {"b", "p1"}, 4L, new String[] {"a", "p9"});
        bus.setAttribution(inode -> pods.getOrDefault(inode, new String[] {"", ""}));
    }

    @AfterEach
    void stop() throws Exception {
        agent.close();
    }

    private String url(String query) {
        return "http://127.0.0.1:" + agent.port() + "/events" + query;
    }

    private void emit(String type, long netns, String message) {
        bus.emit(new ProbeEvent(type, "test", netns, Map.of("saddr", "10.0.0.1", "sport", 80, "daddr", "10.0.0.2", "dport", 4321),
                message));
    }

    @Test
    void eachEventArrivesWithItsIdAndItsJson() throws Exception {
        try (SseClient client = new SseClient(url(""))) {
            assertEquals(200, client.response().statusCode());
            assertTrue(client.response().headers().firstValue("Content-Type").orElse("").startsWith("text/event-stream"));
            for (int i = 0; i < 3; i++) {
                emit(EventTypes.PACKET_DROP, 1, "drop " + i);
            }
            List<SseClient.Message> got = client.next(3);
            for (int i = 0; i < 3; i++) {
                Event e = got.get(i).event();
                assertEquals("drop " + i, e.message());
                assertEquals(EventTypes.PACKET_DROP, e.type());
                assertEquals("a", e.namespace());
                assertEquals("p1", e.pod());
                assertEquals("10.0.0.2", e.fields().get("daddr"));
                assertEquals(bus.node(), e.node());
                assertTrue(i == 0 || got.get(i).id() == got.get(i - 1).id() + 1, "ids follow each other: " + got);
            }
            assertEquals(bus.lastId(), got.get(2).id());
        }
    }

    @Test
    void filtersByTypeNamespaceAndPodAndPassEventsLost() throws Exception {
        // Every stream's filter passes the last event, so whatever slipped through a filter would show up before it.
        Map<String, SseClient> clients = new java.util.LinkedHashMap<>();
        for (String query : List.of("?type=PACKET_DROP,connect_failed", "?namespace=a", "?pod=p1", "?type=CONNECT_FAILED&namespace=a",
                "?pod=p2&pod=p1&namespace=b,a")) {
            clients.put(query, new SseClient(url(query)));
        }
        try {
            emit(EventTypes.PACKET_DROP, 2, "b/p2 drop");
            emit(EventTypes.TCP_RESET_ACTIVE, 1, "a/p1 reset");
            emit(EventTypes.TCP_RESET_ACTIVE, 4, "a/p9 reset");
            emit(EventTypes.CONNECT_FAILED, 3, "b/p1 connect");
            emit(EventTypes.SOFTIRQ_SLOW, 0, "node softirq");
            emit(EventTypes.PACKET_DROP, 77, "netns 77 drop");
            emit(EventTypes.CONNECT_FAILED, 1, "a/p1 connect");
            Map<String, List<String>> expected = Map.of(
                    "?type=PACKET_DROP,connect_failed", List.of("b/p2 drop", "b/p1 connect", "netns 77 drop", "a/p1 connect"),
                    "?namespace=a", List.of("a/p1 reset", "a/p9 reset", "a/p1 connect"),
                    "?pod=p1", List.of("a/p1 reset", "b/p1 connect", "a/p1 connect"),
                    "?type=CONNECT_FAILED&namespace=a", List.of("a/p1 connect"),
                    "?pod=p2&pod=p1&namespace=b,a", List.of("b/p2 drop", "a/p1 reset", "b/p1 connect", "a/p1 connect"));
            for (var entry : clients.entrySet()) {
                List<String> got = new ArrayList<>();
                for (SseClient.Message m : entry.getValue().next(expected.get(entry.getKey()).size())) {
                    got.add(m.event().message());
                }
                assertEquals(expected.get(entry.getKey()), got, entry.getKey());
            }
            // EVENTS_LOST passes every filter. An idle stream reports a loss with the next event (or heartbeat),
            // so one more event follows; the two may come in either order.
            bus.lost("test", 5);
            emit(EventTypes.CONNECT_FAILED, 1, "after the loss");
            for (var entry : clients.entrySet()) {
                List<Event> next = entry.getValue().next(2).stream().map(SseClient.Message::event).toList();
                Event lost = next.stream().filter(e -> e.type().equals(EventTypes.EVENTS_LOST)).findFirst()
                        .orElseThrow(() -> new AssertionError(entry.getKey() + ": no EVENTS_LOST in " + next));
                assertEquals(5, ((Number) lost.fields().get("count")).intValue());
                assertTrue(next.stream().anyMatch(e -> "after the loss".equals(e.message())), entry.getKey() + ": " + next);
            }
        } finally {
            for (SseClient c : clients.values()) {
                c.close();
            }
        }
    }

    @Test
    void aClientThatResumesGetsWhatItMissed() throws Exception {
        long before;
        try (SseClient first = new SseClient(url("?type=PACKET_DROP"))) {
            emit(EventTypes.PACKET_DROP, 1, "seen 1");
            emit(EventTypes.PACKET_DROP, 1, "seen 2");
            before = first.next(2).get(1).id();
        }
        emit(EventTypes.PACKET_DROP, 1, "missed 1");
        emit(EventTypes.TCP_RESET_ACTIVE, 1, "filtered out");
        emit(EventTypes.PACKET_DROP, 2, "missed 2");
        try (SseClient header = new SseClient(url("?type=PACKET_DROP"), Long.toString(before));
             SseClient query = new SseClient(url("?type=PACKET_DROP&lastEventId=" + before))) {
            for (SseClient resumed : List.of(header, query)) {
                List<SseClient.Message> got = resumed.next(2);
                assertEquals(List.of("missed 1", "missed 2"), got.stream().map(m -> m.event().message()).toList());
                assertEquals(before + 1, got.get(0).id());
                assertEquals(before + 3, got.get(1).id());
            }
            emit(EventTypes.PACKET_DROP, 1, "live");
            assertEquals("live", header.next().event().message());
            assertEquals("live", query.next().event().message());
        }
    }

    @Test
    void aClientThatLostItsFirstConnectionBeforeAnyEventResumesFromWhereItJoined() throws Exception {
        emit(EventTypes.PACKET_DROP, 1, "before joining");
        long joined;
        try (SseClient first = new SseClient(url(""))) {
            emit(EventTypes.PACKET_DROP, 1, "marker");
            assertEquals("marker", first.next().event().message());
            joined = first.firstId(); // the stream opened with an id-only message
            assertEquals(bus.lastId() - 1, joined);
        }
        try (SseClient resumed = new SseClient(url(""), Long.toString(joined))) {
            assertEquals("marker", resumed.next().event().message());
        }
    }

    @Test
    void anIdFromBeforeARestartOfTheAgentReplaysWhatTheNewAgentKept() throws Exception {
        emit(EventTypes.PACKET_DROP, 1, "one");
        emit(EventTypes.PACKET_DROP, 1, "two");
        try (SseClient resumed = new SseClient(url(""), "123456")) {
            assertEquals(List.of("one", "two"), resumed.next(2).stream().map(m -> m.event().message()).toList());
        }
    }

    @Test
    void badRequestsAreRefusedWithTheReason() throws Exception {
        HttpClient http = HttpClient.newHttpClient();
        HttpResponse<String> type = http.send(HttpRequest.newBuilder(URI.create(url("?type=TCP_RST"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, type.statusCode());
        assertTrue(type.body().contains("TCP_RST") && type.body().contains("PACKET_DROP"), type.body());
        HttpResponse<String> param = http.send(HttpRequest.newBuilder(URI.create(url("?types=PACKET_DROP"))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, param.statusCode());
        assertTrue(param.body().contains("types"), param.body());
        HttpResponse<String> id = http.send(HttpRequest.newBuilder(URI.create(url(""))).header("Last-Event-ID", "x1").build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(400, id.statusCode());
        HttpResponse<String> post = http.send(HttpRequest.newBuilder(URI.create(url(""))).POST(HttpRequest.BodyPublishers.noBody())
                .build(), HttpResponse.BodyHandlers.ofString());
        assertEquals(405, post.statusCode());
    }

    @Test
    void aStalledClientLosesEventsWithoutStallingTheBusOrAnotherClient() throws Exception {
        String padding = "x".repeat(2000); // big events fill the stalled client's socket buffers sooner
        try (RawStream stalled = new RawStream(agent.port(), "/events", 4096);
             SseClient reader = new SseClient(url(""))) {
            assertTrue(stalled.statusLine().contains(" 200 "), stalled.statusLine());
            long expectedId = -1;
            int emitted = 0;
            // Emit in batches the reader can hold, until the stalled stream's queue has overflowed.
            while (emitted < 4000 || agent.scrape().sum("podnet_events_dropped_total", "stage", "stream") == 0) {
                assertTrue(emitted < 100_000, "the stalled stream never lost an event");
                for (int i = 0; i < 500; i++) {
                    emit(EventTypes.PACKET_DROP, 1, "event " + (emitted + i) + " " + padding);
                }
                for (SseClient.Message m : reader.next(500)) {
                    assertNotEquals(EventTypes.EVENTS_LOST, m.event().type(), "the reading client lost events");
                    assertTrue(expectedId < 0 || m.id() == expectedId, "ids in order without gaps: " + m.id() + " after " + (expectedId - 1));
                    assertEquals("event " + emitted + " " + padding, m.event().message());
                    expectedId = m.id() + 1;
                    emitted++;
                }
            }
            // The stalled client, reading at last, is told that it lost events.
            String lost = "\"type\":\"EVENTS_LOST\"";
            String window = "";
            String chunk;
            while (!window.contains(lost) && (chunk = stalled.nextChunk()) != null) {
                window = window.substring(Math.max(0, window.length() - lost.length())) + chunk;
            }
            assertTrue(window.contains(lost), "the stalled stream ended without EVENTS_LOST");
        }
    }

    @Test
    void streamsBeyondTheBoundAreRefusedAndAClosedClientFreesItsPlace() throws Exception {
        List<RawStream> open = new ArrayList<>();
        try {
            for (int i = 0; i < EventStreamHandler.MAX_STREAMS; i++) {
                RawStream s = new RawStream(agent.port(), "/events", 0);
                assertTrue(s.statusLine().contains(" 200 "), i + ": " + s.statusLine());
                open.add(s);
            }
            try (RawStream refused = new RawStream(agent.port(), "/events", 0)) {
                assertTrue(refused.statusLine().contains(" 503 "), refused.statusLine());
            }
            assertEquals(1, agent.scrape().value("podnet_event_streams_refused_total"));
            assertEquals(EventStreamHandler.MAX_STREAMS, agent.scrape().value("podnet_event_streams"));
            open.removeFirst().close();
            // The server notices the closed client when a write to it fails.
            for (int i = 0; agent.scrape().value("podnet_event_streams") == EventStreamHandler.MAX_STREAMS; i++) {
                assertTrue(i < 10_000, "the closed stream was never noticed");
                emit(EventTypes.PACKET_DROP, 1, "poke " + i);
            }
            try (RawStream again = new RawStream(agent.port(), "/events", 0)) {
                assertTrue(again.statusLine().contains(" 200 "), again.statusLine());
            }
        } finally {
            for (RawStream s : open) {
                s.close();
            }
        }
    }

    @Test
    void aQuietStreamCarriesHeartbeats() throws Exception {
        EventBus own = new EventBus("node-h", dev.podnet.event.EventMetrics.unregistered());
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/events", new EventStreamHandler(own, new io.prometheus.metrics.model.registry.PrometheusRegistry(), 4,
                java.time.Duration.ofMillis(50)));
        server.setExecutor(java.util.concurrent.Executors.newVirtualThreadPerTaskExecutor());
        server.start();
        try (SseClient client = new SseClient("http://127.0.0.1:" + server.getAddress().getPort() + "/events")) {
            assertEquals(": heartbeat", client.nextComment());
            assertEquals(": heartbeat", client.nextComment());
        } finally {
            server.stop(0);
        }
    }
}
