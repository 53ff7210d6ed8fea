package dev.podnet.event;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.probe.EventTypes;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** NDJSON that parses back, rotated by size with the backups bounded; config errors name the field. */
class FileSinkTest {

    @Test
    void writesNdjsonAndRotatesBySize(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("events.ndjson");
        FileSink sink = new FileSink(new FileSink.Settings(file, 4096, 2));
        List<Event> written = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            Event e = new Event(i + 1, Instant.parse("2026-12-07T10:00:00.123456789Z"), "node-1", EventTypes.PACKET_DROP, "warning",
                    "packetloss", 4026532001L, "shop", "web", Map.of("reason", "NETFILTER_DROP", "count", 1), "packet dropped " + i);
            written.add(e);
            sink.send(List.of(e));
        }
        sink.close();
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of("events.ndjson", "events.ndjson.1", "events.ndjson.2"),
                    files.map(p -> p.getFileName().toString()).sorted().toList(), "two backups kept, the oldest deleted");
        }
        for (String name : List.of("events.ndjson", "events.ndjson.1", "events.ndjson.2")) {
            assertTrue(Files.size(dir.resolve(name)) <= 4096, name + " within maxSizeMB");
        }
        List<String> lines = Files.readAllLines(file);
        Event last = EventJson.parse(lines.getLast());
        assertEquals(written.getLast().message(), last.message());
        assertEquals(Instant.parse("2026-12-07T10:00:00.123456789Z"), last.time());
        assertEquals("NETFILTER_DROP", last.fields().get("reason"));
    }

    @Test
    void badSinkConfigIsRefusedWithTheFieldNamed() {
        assertEquals("events.sinks[0].path: the file to write is required", assertThrows(IllegalArgumentException.class,
                () -> EventsConfig.of(Map.of("sinks", List.of(Map.of("type", "file"))))).getMessage());
        assertTrue(assertThrows(IllegalArgumentException.class, () -> EventsConfig.of(Map.of("sinks",
                List.of(Map.of("type", "log"), Map.of("type", "fluentd"))))).getMessage()
                .startsWith("events.sinks[1].type: unknown sink \"fluentd\""));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> EventsConfig.of(Map.of("types", List.of("TCP_RESET"))))
                .getMessage().startsWith("events.types: unknown event type \"TCP_RESET\""));
    }
}
