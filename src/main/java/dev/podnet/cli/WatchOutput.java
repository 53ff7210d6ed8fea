package dev.podnet.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.PrintWriter;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;

/**
 * What {@code podnet watch} prints: one line per event, whichever agent it came from, and one line when an
 * agent is connected, lost, back or given up. In text mode the state lines go to stdout among the events,
 * so the output reads as one timeline; in JSON mode they go to stderr, so that stdout stays one JSON
 * object per line.
 */
final class WatchOutput implements AgentStream.Listener {
    enum Format { text, json }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.SSSX").withZone(ZoneOffset.UTC);

    private final PrintWriter out;
    private final PrintWriter err;
    private final Format format;

    WatchOutput(PrintWriter out, PrintWriter err, Format format) {
        this.out = out;
        this.err = err;
        this.format = format;
    }

    @Override
    public void event(AgentStream from, String id, String data) {
        JsonNode event;
        try {
            event = JSON.readTree(data);
        } catch (JsonProcessingException e) {
            state(from, "sent an event that is not JSON: " + e.getOriginalMessage());
            return;
        }
        if (!(event instanceof ObjectNode fields)) {
            state(from, "sent an event that is not a JSON object: " + data);
            return;
        }
        String line;
        if (format == Format.json) {
            ObjectNode tagged = JSON.createObjectNode();
            tagged.put("agent", from.name());
            if (!id.isEmpty()) {
                try {
                    tagged.put("id", Long.parseLong(id));
                } catch (NumberFormatException e) {
                    tagged.put("id", id);
                }
            }
            tagged.setAll(fields);
            line = tagged.toString();
        } else {
            line = text(fields);
        }
        synchronized (this) {
            out.println(line);
            out.flush();
        }
    }

    @Override
    public void connected(AgentStream from, boolean again, String resumeAfter) {
        state(from, again ? "back" + (resumeAfter.isEmpty() ? "" : ", resuming after event " + resumeAfter) : "connected");
    }

    @Override
    public void lost(AgentStream from, boolean wasConnected, String reason, Duration retryIn) {
        state(from, (wasConnected ? "lost: " : "unreachable: ") + reason + "; retrying in " + seconds(retryIn) + " s");
    }

    @Override
    public void gaveUp(AgentStream from, String reason) {
        state(from, "gave up: " + reason);
    }

    private void state(AgentStream from, String what) {
        state(from.name(), what);
    }

    /** A line about an agent: connected, lost, back, removed, ... */
    void state(String agent, String what) {
        note("[agent " + agent + "] " + what);
    }

    /** A line about the watch itself. */
    synchronized void note(String what) {
        PrintWriter to = format == Format.json ? err : out;
        to.println(time(Instant.now()) + " " + what);
        to.flush();
    }

    /** {@code time node TYPE namespace/pod saddr:sport -> daddr:dport message}; parts an event lacks are left out. */
    static String text(JsonNode event) {
        StringBuilder line = new StringBuilder();
        String time = event.path("time").asText("");
        try {
            line.append(time(Instant.parse(time)));
        } catch (DateTimeParseException e) {
            line.append(time.isEmpty() ? "-" : time);
        }
        line.append(' ').append(event.path("node").asText("-"));
        line.append(' ').append(String.format("%-23s", event.path("type").asText("?")));
        line.append(' ').append(where(event));
        JsonNode fields = event.path("fields");
        if (fields.hasNonNull("saddr") && fields.hasNonNull("daddr")) {
            line.append(' ').append(endpoint(fields.get("saddr").asText(), fields.get("sport")))
                    .append(" -> ").append(endpoint(fields.get("daddr").asText(), fields.get("dport")));
        }
        String message = event.path("message").asText("");
        if (!message.isEmpty()) {
            line.append(' ').append(message);
        }
        return line.toString();
    }

    private static String where(JsonNode event) {
        String pod = event.path("pod").asText("");
        if (!pod.isEmpty()) {
            return event.path("namespace").asText("") + "/" + pod;
        }
        long netns = event.path("netns").asLong(0);
        return netns == 0 ? "-" : "netns:" + netns;
    }

    private static String endpoint(String address, JsonNode port) {
        if (port == null || port.isNull() || port.asText("").isEmpty()) {
            return address;
        }
        return (address.indexOf(':') >= 0 ? "[" + address + "]" : address) + ":" + port.asText();
    }

    private static String time(Instant instant) {
        return TIME.format(instant);
    }

    private static String seconds(Duration d) {
        return String.format(java.util.Locale.ROOT, "%.1f", d.toMillis() / 1000.0);
    }
}
