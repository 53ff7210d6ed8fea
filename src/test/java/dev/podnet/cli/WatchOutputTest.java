package dev.podnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The lines of {@code podnet watch}. */
class WatchOutputTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static JsonNode event(String json) throws Exception {
        return JSON.readTree(json);
    }

    @Test
    void aPodEventWithAConnection() throws Exception {
        assertEquals("2026-12-07T10:17:43.120Z node-a TCP_RESET_NO_SOCKET     shop/web-1 10.0.0.1:443 -> 10.0.0.2:51234 reset: no socket",
                WatchOutput.text(event("""
                        {"time":"2026-12-07T10:17:43.120456789Z","node":"node-a","type":"TCP_RESET_NO_SOCKET","severity":"warning",
                         "probe":"tcpreset","netns":4026532200,"namespace":"shop","pod":"web-1",
                         "fields":{"protocol":"tcp","saddr":"10.0.0.1","sport":443,"daddr":"10.0.0.2","dport":51234},
                         "message":"reset: no socket"}""")));
    }

    @Test
    void ipv6AddressesAreBracketedAndMissingPortsLeftOut() throws Exception {
        assertEquals("2026-12-07T10:17:43.000Z n PACKET_DROP             netns:4026532200 [fd00::1]:80 -> fd00::2 dropped",
                WatchOutput.text(event("""
                        {"time":"2026-12-07T10:17:43Z","node":"n","type":"PACKET_DROP","netns":4026532200,"namespace":"","pod":"",
                         "fields":{"saddr":"fd00::1","sport":80,"daddr":"fd00::2"},"message":"dropped"}""")));
    }

    @Test
    void aNodeWideEventHasNoPodAndNoConnection() throws Exception {
        assertEquals("2026-12-07T10:17:43.000Z n SOFTIRQ_SLOW            - softirq took 12 ms",
                WatchOutput.text(event("""
                        {"time":"2026-12-07T10:17:43Z","node":"n","type":"SOFTIRQ_SLOW","netns":0,"namespace":"","pod":"",
                         "fields":{"cpu":3},"message":"softirq took 12 ms"}""")));
    }

    @Test
    void jsonLinesCarryTheAgentAndTheIdAndStateLinesGoToStderr() throws Exception {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        WatchOutput output = new WatchOutput(new PrintWriter(out), new PrintWriter(err), WatchOutput.Format.json);
        AgentStream from = new AgentStream("http://a:9475", URI.create("http://a:9475/events"), null, () -> null, output, Duration.ofSeconds(1));
        output.connected(from, false, "");
        output.event(from, "12", "{\"time\":\"2026-12-07T10:17:43Z\",\"type\":\"PACKET_DROP\",\"fields\":{}}");
        output.lost(from, true, "connection reset", Duration.ofMillis(500));
        JsonNode line = JSON.readTree(out.toString().strip());
        assertEquals("http://a:9475", line.get("agent").asText());
        assertEquals(12, line.get("id").asLong());
        assertEquals("PACKET_DROP", line.get("type").asText());
        assertTrue(err.toString().contains("[agent http://a:9475] connected"), err.toString());
        assertTrue(err.toString().contains("[agent http://a:9475] lost: connection reset; retrying in 0.5 s"), err.toString());
    }
}
