package dev.podnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The SSE wire format as the spec's examples write it. */
class SseParserTest {

    private static List<SseParser.Message> feed(SseParser parser, String... lines) {
        List<SseParser.Message> messages = new ArrayList<>();
        for (String line : lines) {
            SseParser.Message m = parser.line(line);
            if (m != null) {
                messages.add(m);
            }
        }
        return messages;
    }

    @Test
    void aMessageIsItsDataLinesJoinedAndDispatchedByABlankLine() {
        SseParser parser = new SseParser();
        assertEquals(List.of(new SseParser.Message("7", "first\nsecond"), new SseParser.Message("7", "no space")),
                feed(parser, "id: 7", "data: first", "data:second", "", "data:no space", ""));
    }

    @Test
    void commentsAndUnknownFieldsAreIgnored() {
        SseParser parser = new SseParser();
        assertEquals(List.of(new SseParser.Message("", "x")),
                feed(parser, ": heartbeat", "event: ping", "retry: 1000", "whatever", "data: x", ""));
    }

    @Test
    void anIdOnlyMessageMovesTheResumePointWithoutAnEvent() {
        SseParser parser = new SseParser();
        assertEquals(List.of(), feed(parser, "id: 41", ""));
        assertEquals("41", parser.lastEventId());
        assertEquals(List.of(new SseParser.Message("42", "{}")), feed(parser, "id: 42", "data: {}", ""));
        assertEquals("42", parser.lastEventId());
    }

    @Test
    void anUnfinishedMessageDoesNotMoveTheResumePoint() {
        SseParser parser = new SseParser();
        feed(parser, "id: 1", "data: a", "");
        assertNull(parser.line("id: 2"));
        assertNull(parser.line("data: b"));
        assertEquals("1", parser.lastEventId()); // the connection broke before the blank line: event 2 was not had
    }

    @Test
    void aReconnectionKeepsTheResumePointUntilTheStreamNamesAnother() {
        SseParser parser = new SseParser("9");
        assertEquals(List.of(new SseParser.Message("9", "a")), feed(parser, "data: a", ""));
        assertEquals("9", parser.lastEventId());
        assertEquals(List.of(new SseParser.Message("10", "b")), feed(parser, "id: 10", "data: b", ""));
    }
}
