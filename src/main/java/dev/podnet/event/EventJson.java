package dev.podnet.event;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;

/** Events as one line of JSON (time in RFC 3339 with nanoseconds), as the log and file sinks and /events write them. */
public final class EventJson {
    private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
            .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS);

    private EventJson() {
    }

    public static String line(Event event) {
        try {
            return JSON.writeValueAsString(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("an event that is not JSON: " + e.getMessage(), e);
        }
    }

    public static Event parse(String line) throws JsonProcessingException {
        return JSON.readValue(line, Event.class);
    }

    public static ObjectMapper mapper() {
        return JSON;
    }
}
