package dev.podnet.event;

import dev.podnet.probe.EventTypes;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The config's {@code events}: which types are made, the rate limit per (type, pod), the bounds of the
 * pipeline, and the sinks. Every problem throws IllegalArgumentException naming the field.
 *
 * @param types      the types made (all when the config names none)
 * @param burst      events of one type and pod that pass at once
 * @param perSecond  events of one type and pod that pass per second after the burst
 * @param queueSize  events each sink's queue holds
 * @param recent     events kept for {@code /events} clients that resume with Last-Event-ID
 * @param sinks      where events go, in order
 */
public record EventsConfig(Set<String> types, int burst, double perSecond, int queueSize, int recent, List<SinkSpec> sinks) {
    private static final Set<String> FIELDS = Set.of("types", "rateLimit", "queueSize", "recent", "sinks");

    public static final EventsConfig DEFAULT = new EventsConfig(Set.copyOf(EventTypes.ALL), 10, 1, 10_000, 1_000, List.of());

    public EventsConfig {
        types = Set.copyOf(types);
        sinks = List.copyOf(sinks);
    }

    /**
     * One sink as configured.
     *
     * @param type     log, file, loki, otlp or kubernetes
     * @param types    the event types it takes (null: its default, see {@link SinkFactory})
     * @param settings its own keys
     * @param field    where it stands in the config, for messages ({@code events.sinks[2]})
     */
    public record SinkSpec(String type, Set<String> types, Map<String, Object> settings, String field) {
        public SinkSpec {
            types = types == null ? null : Set.copyOf(types);
            settings = Map.copyOf(settings);
        }
    }

    public static EventsConfig of(Map<String, Object> events) {
        if (events == null || events.isEmpty()) {
            return DEFAULT;
        }
        for (String key : events.keySet()) {
            if (!FIELDS.contains(key)) {
                throw new IllegalArgumentException("events: unknown field \"" + key + "\" (known: queueSize, rateLimit, recent, sinks, types)");
            }
        }
        Set<String> types = events.containsKey("types") ? types(events.get("types"), "events.types") : Set.copyOf(EventTypes.ALL);
        int burst = DEFAULT.burst;
        double perSecond = DEFAULT.perSecond;
        if (events.get("rateLimit") instanceof Map<?, ?> limit) {
            for (Object key : limit.keySet()) {
                if (!key.equals("burst") && !key.equals("perSecond")) {
                    throw new IllegalArgumentException("events.rateLimit: unknown field \"" + key + "\" (known: burst, perSecond)");
                }
            }
            burst = whole(limit.get("burst"), "events.rateLimit.burst", burst, 1, 100_000);
            Object rate = limit.get("perSecond");
            if (rate != null) {
                if (!(rate instanceof Number n) || n.doubleValue() <= 0 || n.doubleValue() > 100_000) {
                    throw new IllegalArgumentException("events.rateLimit.perSecond: expected a number above 0, got " + rate);
                }
                perSecond = n.doubleValue();
            }
        } else if (events.get("rateLimit") != null) {
            throw new IllegalArgumentException("events.rateLimit: expected {burst, perSecond}");
        }
        int queueSize = whole(events.get("queueSize"), "events.queueSize", DEFAULT.queueSize, 1, 1_000_000);
        int recent = whole(events.get("recent"), "events.recent", DEFAULT.recent, 0, 100_000);
        List<SinkSpec> sinks = new ArrayList<>();
        Object list = events.get("sinks");
        if (list != null) {
            if (!(list instanceof List<?> items)) {
                throw new IllegalArgumentException("events.sinks: expected a list of sinks");
            }
            for (int i = 0; i < items.size(); i++) {
                sinks.add(sink(items.get(i), "events.sinks[" + i + "]"));
            }
        }
        return new EventsConfig(types, burst, perSecond, queueSize, recent, sinks);
    }

    private static SinkSpec sink(Object item, String field) {
        if (!(item instanceof Map<?, ?> map) || !(map.get("type") instanceof String type)) {
            throw new IllegalArgumentException(field + ": expected a mapping with a type (" + String.join(", ", SinkFactory.TYPES) + ")");
        }
        Set<String> types = map.containsKey("types") ? types(map.get("types"), field + ".types") : null;
        Map<String, Object> settings = new java.util.LinkedHashMap<>();
        map.forEach((k, v) -> {
            if (!k.equals("type") && !k.equals("types")) {
                settings.put(String.valueOf(k), v);
            }
        });
        SinkSpec spec = new SinkSpec(type, types, settings, field);
        SinkFactory.check(spec);
        return spec;
    }

    private static Set<String> types(Object value, String field) {
        if (!(value instanceof List<?> list)) {
            throw new IllegalArgumentException(field + ": expected a list of event types");
        }
        Set<String> types = new LinkedHashSet<>();
        for (Object t : list) {
            if (!EventTypes.ALL.contains(String.valueOf(t))) {
                throw new IllegalArgumentException(field + ": unknown event type \"" + t + "\" (known: " + String.join(", ", EventTypes.ALL) + ")");
            }
            types.add(String.valueOf(t));
        }
        return types;
    }

    static int whole(Object value, String field, int fallback, int min, int max) {
        if (value == null) {
            return fallback;
        }
        if (!(value instanceof Integer n) || n < min || n > max) {
            throw new IllegalArgumentException(field + ": expected a whole number from " + min + " to " + max + ", got " + value);
        }
        return n;
    }
}
