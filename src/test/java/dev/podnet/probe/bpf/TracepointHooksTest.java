package dev.podnet.probe.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TracepointHooksTest {
    private static final List<TracepointHooks.Hook> ONE = List.of(new TracepointHooks.Hook("p", "tcp/tcp_retransmit_skb"));
    private static final List<TracepointHooks.Hook> TWO = List.of(new TracepointHooks.Hook("s", "tcp/tcp_send_reset"),
            new TracepointHooks.Hook("r", "tcp/tcp_receive_reset"));

    @Test
    void defaultsWithoutSettings() {
        assertEquals(ONE, TracepointHooks.resolve("x", ONE, Map.of()));
        assertEquals("tcp_retransmit_skb", ONE.getFirst().rawName());
        assertEquals("plain", new TracepointHooks.Hook("p", "plain").rawName(), "a name without category is the raw name");
    }

    @Test
    void singleTracepointReplacesTheOnlyOne() {
        List<TracepointHooks.Hook> hooks = TracepointHooks.resolve("x", ONE, Map.of("tracepoint", "tcp/nonexistent"));
        assertEquals(List.of(new TracepointHooks.Hook("p", "tcp/nonexistent")), hooks);
        assertEquals("nonexistent", hooks.getFirst().rawName());
    }

    @Test
    void namedReplacementForProbesWithSeveral() {
        List<TracepointHooks.Hook> hooks = TracepointHooks.resolve("x", TWO,
                Map.of("tracepoints", Map.of("tcp/tcp_receive_reset", "tcp/other")));
        assertEquals(List.of(TWO.getFirst(), new TracepointHooks.Hook("r", "tcp/other")), hooks);
    }

    @Test
    void badSettingsAreNamed() {
        assertTrue(message(() -> TracepointHooks.resolve("x", TWO, Map.of("tracepoint", "tcp/a")))
                .startsWith("probeSettings.x.tracepoint: this probe attaches to 2 tracepoints"));
        assertTrue(message(() -> TracepointHooks.resolve("x", ONE, Map.of("tracepoint", 5)))
                .startsWith("probeSettings.x.tracepoint: expected a tracepoint"));
        assertTrue(message(() -> TracepointHooks.resolve("x", ONE, Map.of("tracepoint", "tcp/a b")))
                .startsWith("probeSettings.x.tracepoint: expected a tracepoint"));
        assertTrue(message(() -> TracepointHooks.resolve("x", TWO, Map.of("tracepoints", "tcp/a")))
                .startsWith("probeSettings.x.tracepoints: expected a mapping"));
        assertTrue(message(() -> TracepointHooks.resolve("x", TWO, Map.of("tracepoints", Map.of("tcp/nope", "tcp/a"))))
                .startsWith("probeSettings.x.tracepoints.tcp/nope: not a tracepoint of this probe"));
    }

    private static String message(Runnable r) {
        return assertThrows(IllegalArgumentException.class, r::run).getMessage();
    }
}
