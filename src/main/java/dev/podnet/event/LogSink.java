package dev.podnet.event;

import java.io.PrintStream;
import java.util.List;

/** One JSON line per event on a stream (stderr), where the container runtime's log collection picks it up. */
final class LogSink implements EventSink {
    private final PrintStream out;

    record Settings() {
        static Settings of(EventsConfig.SinkSpec spec) {
            if (!spec.settings().isEmpty()) {
                throw new IllegalArgumentException(spec.field() + ": unknown field \"" + spec.settings().keySet().iterator().next()
                        + "\" (a log sink takes only type and types)");
            }
            return new Settings();
        }
    }

    LogSink(Settings settings, PrintStream out) {
        this.out = out;
    }

    @Override
    public String name() {
        return "log";
    }

    @Override
    public void send(List<Event> batch) {
        StringBuilder lines = new StringBuilder();
        for (Event e : batch) {
            lines.append(EventJson.line(e)).append('\n');
        }
        out.print(lines);
        out.flush();
    }

    @Override
    public int maxBatch() {
        return 100;
    }
}
