package dev.podnet.event;

import dev.podnet.probe.EventTypes;
import java.util.List;
import java.util.function.Predicate;

/** Makes sinks from their config, and checks a sink's config without making it. */
public final class SinkFactory {
    public static final List<String> TYPES = List.of("log", "file", "loki", "otlp", "kubernetes");

    private SinkFactory() {
    }

    /** @throws IllegalArgumentException naming the field and what is wrong */
    static void check(EventsConfig.SinkSpec spec) {
        switch (spec.type()) {
            case "log" -> LogSink.Settings.of(spec);
            case "file" -> FileSink.Settings.of(spec);
            case "loki" -> LokiSink.Settings.of(spec);
            case "otlp" -> OtlpSink.Settings.of(spec);
            case "kubernetes" -> KubernetesEventSink.Settings.of(spec);
            default -> throw new IllegalArgumentException(spec.field() + ".type: unknown sink \"" + spec.type() + "\" (known: "
                    + String.join(", ", TYPES) + ")");
        }
    }

    static EventSink create(EventsConfig.SinkSpec spec, SinkContext context) throws java.io.IOException {
        return switch (spec.type()) {
            case "log" -> new LogSink(LogSink.Settings.of(spec), System.err);
            case "file" -> new FileSink(FileSink.Settings.of(spec));
            case "loki" -> new LokiSink(LokiSink.Settings.of(spec), context);
            case "otlp" -> new OtlpSink(OtlpSink.Settings.of(spec), context);
            case "kubernetes" -> new KubernetesEventSink(KubernetesEventSink.Settings.of(spec), context);
            default -> throw new IllegalArgumentException(spec.field() + ".type: unknown sink \"" + spec.type() + "\"");
        };
    }

    /** The sink's {@code types} filter; without one, every type, except for sinks whose default is narrower. */
    static Predicate<Event> filter(EventsConfig.SinkSpec spec) {
        if (spec.types() != null) {
            return e -> e.type().equals(EventTypes.EVENTS_LOST) || spec.types().contains(e.type());
        }
        if (spec.type().equals("kubernetes")) {
            return Event::warning; // Kubernetes Events only for what is usually trouble
        }
        return e -> true;
    }
}
