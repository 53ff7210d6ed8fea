package dev.podnet.http;

import dev.podnet.event.Event;
import dev.podnet.probe.EventTypes;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Locale;
import java.util.Set;
import java.util.function.Predicate;

/**
 * What an {@code /events} client asked for: {@code type}, {@code namespace} and {@code pod} (each a comma
 * list, or repeated; an event passes when it matches every parameter given), and where to resume
 * ({@code Last-Event-ID} header, else {@code lastEventId}). EVENTS_LOST always passes: a filtered stream
 * must still say that it has gaps. Unknown parameters and types are refused rather than ignored, so that a
 * typo does not quietly turn into "everything".
 *
 * @param afterId the last event id the client has, or -1 to start with the live events
 */
record EventStreamQuery(Set<String> types, Set<String> namespaces, Set<String> pods, long afterId) implements Predicate<Event> {

    EventStreamQuery {
        types = Set.copyOf(types);
        namespaces = Set.copyOf(namespaces);
        pods = Set.copyOf(pods);
    }

    /** @throws IllegalArgumentException with a message for the client */
    static EventStreamQuery parse(String rawQuery, String lastEventIdHeader) {
        Set<String> types = new LinkedHashSet<>();
        Set<String> namespaces = new LinkedHashSet<>();
        Set<String> pods = new LinkedHashSet<>();
        String lastEventId = null;
        if (rawQuery != null && !rawQuery.isEmpty()) {
            for (String pair : rawQuery.split("&")) {
                if (pair.isEmpty()) {
                    continue;
                }
                int eq = pair.indexOf('=');
                String name = decode(eq < 0 ? pair : pair.substring(0, eq));
                String value = eq < 0 ? "" : decode(pair.substring(eq + 1));
                switch (name) {
                    case "type" -> add(types, value.toUpperCase(Locale.ROOT));
                    case "namespace" -> add(namespaces, value);
                    case "pod" -> add(pods, value);
                    case "lastEventId" -> lastEventId = value;
                    default -> throw new IllegalArgumentException("unknown parameter \"" + name
                            + "\" (known: type, namespace, pod, lastEventId)");
                }
            }
        }
        for (String type : types) {
            if (!EventTypes.ALL.contains(type) && !type.equals(EventTypes.EVENTS_LOST)) {
                throw new IllegalArgumentException("type: unknown event type \"" + type + "\" (known: "
                        + String.join(", ", EventTypes.ALL) + ")");
            }
        }
        if (lastEventIdHeader != null && !lastEventIdHeader.isBlank()) {
            lastEventId = lastEventIdHeader; // a reconnecting EventSource sends the header and keeps its first URL
        }
        return new EventStreamQuery(types, namespaces, pods, afterId(lastEventId));
    }

    @Override
    public boolean test(Event event) {
        if (event.type().equals(EventTypes.EVENTS_LOST)) {
            return true;
        }
        return (types.isEmpty() || types.contains(event.type()))
                && (namespaces.isEmpty() || namespaces.contains(event.namespace()))
                && (pods.isEmpty() || pods.contains(event.pod()));
    }

    private static long afterId(String text) {
        if (text == null || text.isBlank()) {
            return -1;
        }
        try {
            long id = Long.parseLong(text.strip());
            if (id < 0) {
                throw new NumberFormatException();
            }
            return id;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("Last-Event-ID: expected an event id (a whole number), got \"" + text + "\"");
        }
    }

    private static void add(Set<String> into, String commaList) {
        for (String item : commaList.split(",")) {
            if (!item.isBlank()) {
                into.add(item.strip());
            }
        }
    }

    private static String decode(String text) {
        return URLDecoder.decode(text, StandardCharsets.UTF_8);
    }
}
