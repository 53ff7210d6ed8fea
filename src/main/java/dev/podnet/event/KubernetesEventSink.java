package dev.podnet.event;

import io.fabric8.kubernetes.api.model.MicroTime;
import io.fabric8.kubernetes.api.model.ObjectReference;
import io.fabric8.kubernetes.api.model.ObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.events.v1.EventBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kubernetes Events (events.k8s.io/v1) about the pod an event concerns, or about the Node for node-wide
 * events, as {@code kubectl describe pod} and {@code kubectl events} show them. Repeats of a type on the
 * same object within {@link #SERIES_WINDOW} of the last one update that Event's {@code series} (count,
 * lastObservedTime) instead of making new objects. Each object gets a burst of {@link #BURST} writes, then
 * one per {@link #REFILL}, as the kubelet allows per object; events beyond that are refused (dropped and
 * counted by the worker as rejected). Batches are single events, so that what is counted is exactly what
 * was refused.
 */
final class KubernetesEventSink implements EventSink {
    static final String CONTROLLER = "podnet.dev/agent";
    static final String ACTION = "Observed";
    static final int BURST = 25;
    static final Duration REFILL = Duration.ofMinutes(5);
    static final Duration SERIES_WINDOW = Duration.ofMinutes(10);
    static final int NOTE_MAX_BYTES = 1024;
    private static final int MAX_OBJECTS = 10_000;
    private static final DateTimeFormatter MICRO_TIME =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSSSSSX").withZone(ZoneOffset.UTC);

    private final KubernetesClient client;
    private final SinkContext context;
    private final Clock clock;
    private final ObjectSpamFilter spam = new ObjectSpamFilter(BURST, REFILL.toMillis(), MAX_OBJECTS);
    private final Map<String, Series> series = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Series> eldest) {
            return size() > MAX_OBJECTS;
        }
    };
    private long lastNameNanos;

    /** The sink has no keys of its own; {@code types} defaults to the warning types (see SinkFactory). */
    record Settings() {
        static Settings of(EventsConfig.SinkSpec spec) {
            SinkSettings.onlyKnown(spec, Set.of());
            return new Settings();
        }
    }

    /** The Event written last for an (object, type). */
    private record Series(String namespace, String name, int count, long lastMillis) {
    }

    /** What an event is about: the Event's namespace, its {@code regarding}, and the spam filter's key. */
    private record Target(String namespace, ObjectReference regarding, String key) {
    }

    KubernetesEventSink(Settings settings, SinkContext context) {
        this(context, Clock.systemUTC());
    }

    KubernetesEventSink(SinkContext context, Clock clock) {
        this.client = context.kubernetes().get();
        if (client == null) {
            throw new IllegalStateException("Kubernetes Events need the Kubernetes API, and the agent runs without it (host mode)");
        }
        this.context = context;
        this.clock = clock;
    }

    @Override
    public String name() {
        return "kubernetes";
    }

    @Override
    public void send(List<Event> batch) throws SinkException {
        int refused = 0;
        for (Event e : batch) {
            Target target = target(e);
            long now = clock.millis();
            if (!spam.mayPass(target.key(), now)) {
                refused++;
                continue;
            }
            try {
                write(e, target, now);
            } catch (KubernetesClientException ex) {
                int code = ex.getCode(); // 0 or below: no answer (connection refused, timeout)
                throw new SinkException("writing an Event about " + target.key() + ": " + (code <= 0 ? "" : code + " ") + ex.getMessage()
                        + (ex.getCause() == null ? "" : " (" + ex.getCause() + ")"), code <= 0 || HttpPush.retryable(code), ex);
            }
            spam.took(target.key(), now);
        }
        if (refused > 0) {
            throw new SinkException(refused + " events over the limit of " + BURST + " Events per object, then one per "
                    + REFILL.toMinutes() + " minutes", false);
        }
    }

    private void write(Event e, Target target, long now) {
        String key = target.key() + "|" + e.type();
        Series last = series.get(key);
        if (last != null && now - last.lastMillis() < SERIES_WINDOW.toMillis()) {
            int count = last.count() + 1;
            String patch = "{\"series\":{\"count\":" + count + ",\"lastObservedTime\":\"" + microTime(e.time()) + "\"}}";
            try {
                client.events().v1().events().inNamespace(last.namespace()).withName(last.name())
                        .patch(PatchContext.of(PatchType.JSON_MERGE), patch);
                series.put(key, new Series(last.namespace(), last.name(), count, now));
                return;
            } catch (KubernetesClientException ex) {
                if (ex.getCode() != 404) { // gone (the API server's event TTL): a new series starts
                    throw ex;
                }
            }
        }
        String name = eventName(target.regarding().getName(), e.time());
        client.events().v1().events().inNamespace(target.namespace()).resource(new EventBuilder()
                .withNewMetadata().withNamespace(target.namespace()).withName(name).endMetadata()
                .withEventTime(new MicroTime(microTime(e.time())))
                .withReportingController(CONTROLLER)
                .withReportingInstance(truncate(context.node(), 128))
                .withAction(ACTION)
                .withReason(reason(e.type()))
                .withType(e.warning() ? "Warning" : "Normal")
                .withNote(note(e.message()))
                .withRegarding(target.regarding())
                .build()).create();
        series.put(key, new Series(target.namespace(), name, 1, now));
    }

    private Target target(Event e) {
        if (!e.pod().isEmpty() && !e.namespace().isEmpty()) {
            String uid = context.podUid().apply(e.namespace(), e.pod());
            ObjectReference pod = new ObjectReferenceBuilder().withApiVersion("v1").withKind("Pod")
                    .withNamespace(e.namespace()).withName(e.pod()).withUid(uid == null || uid.isEmpty() ? null : uid).build();
            return new Target(e.namespace(), pod, "Pod/" + e.namespace() + "/" + e.pod());
        }
        // A Node has no namespace; its Events live in "default", as the kubelet's do.
        ObjectReference node = new ObjectReferenceBuilder().withApiVersion("v1").withKind("Node").withName(context.node()).build();
        return new Target("default", node, "Node/" + context.node());
    }

    /** {@code <object>.<time in hex>}, as client-go names Events; strictly increasing within this agent. */
    private String eventName(String object, Instant time) {
        long nanos = time.getEpochSecond() * 1_000_000_000L + time.getNano();
        lastNameNanos = Math.max(nanos, lastNameNanos + 1);
        return truncate(object, 253 - 17) + "." + Long.toHexString(lastNameNanos);
    }

    /** TCP_RESET_NO_SOCKET becomes TcpResetNoSocket. */
    static String reason(String type) {
        StringBuilder out = new StringBuilder();
        for (String word : type.split("_")) {
            if (!word.isEmpty()) {
                out.append(Character.toUpperCase(word.charAt(0))).append(word.substring(1).toLowerCase());
            }
        }
        return truncate(out.toString(), 128);
    }

    static String microTime(Instant t) {
        return MICRO_TIME.format(t);
    }

    /** The API server refuses notes over 1 KiB (UTF-8 bytes): cut at a character boundary. */
    static String note(String message) {
        if (message.getBytes(StandardCharsets.UTF_8).length <= NOTE_MAX_BYTES) {
            return message;
        }
        StringBuilder out = new StringBuilder();
        int bytes = 0;
        for (int i = 0; i < message.length(); ) {
            int cp = message.codePointAt(i);
            int size = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
            if (bytes + size > NOTE_MAX_BYTES - 3) {
                break;
            }
            out.appendCodePoint(cp);
            bytes += size;
            i += Character.charCount(cp);
        }
        return out.append("...").toString();
    }

    private static String truncate(String s, int max) {
        return s.length() <= max ? s : s.substring(0, max);
    }
}
