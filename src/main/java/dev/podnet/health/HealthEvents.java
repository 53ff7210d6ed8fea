package dev.podnet.health;

import dev.podnet.probe.EventEmitter;
import dev.podnet.probe.EventTypes;
import dev.podnet.probe.ProbeEvent;
import java.util.LinkedHashMap;
import java.util.Map;

/** A target's way down (failureThreshold failures in a row) and back up, as events. */
final class HealthEvents {
    private HealthEvents() {
    }

    static void transition(EventEmitter events, HealthTarget target, Integer before, Integer after, CheckOutcome outcome) {
        boolean failed = after != null && after == 0 && (before == null || before == 1);
        boolean recovered = after != null && after == 1 && before != null && before == 0;
        if (!failed && !recovered) {
            return;
        }
        String type = failed ? EventTypes.HEALTH_CHECK_FAILED : EventTypes.HEALTH_CHECK_RECOVERED;
        if (!events.wants(type)) {
            return;
        }
        Map<String, Object> fields = new LinkedHashMap<>();
        String[] labels = target.labels();
        for (int i = 0; i + 1 < labels.length; i += 2) {
            if (labels[i].equals("task")) {
                fields.put("task", labels[i + 1]);
            }
        }
        fields.put("check", target.kind().name().toLowerCase());
        fields.put("daddr", target.address().getHostAddress());
        if (target.kind() == CheckKind.CURL) {
            fields.put("dport", target.port());
        }
        if (failed) {
            fields.put("failures", target.failureThreshold());
            if (outcome.reason() != null) {
                fields.put("reason", outcome.reason());
            }
        }
        String what = target.kind().name().toLowerCase() + " " + target.address().getHostAddress()
                + (target.kind() == CheckKind.CURL ? ":" + target.port() : "");
        events.emit(new ProbeEvent(type, "health", target.netns(), fields, failed
                ? "health check " + what + " failed " + target.failureThreshold() + " times in a row"
                        + (outcome.reason() == null ? "" : ": " + outcome.reason())
                : "health check " + what + " answers again"));
    }
}
