package dev.podnet.event;

import dev.podnet.probe.EventEmitter;
import dev.podnet.probe.EventTypes;
import dev.podnet.probe.ProbeEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongFunction;
import java.util.function.LongPredicate;
import java.util.function.Predicate;
import java.util.logging.Logger;

/**
 * Where every event goes through: probes and the health checker emit, the bus names the pod, applies the
 * rate limit, numbers the event, keeps the most recent ones for resuming streams, and hands it to each
 * sink's queue and each live stream. Nothing here blocks: every hand-over is an offer to a bounded
 * queue, and what does not fit is counted.
 */
public final class EventBus implements EventEmitter, AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EventBus.class.getName());
    private static final String[] NO_POD = {"", ""};
    static final int MAX_RATE_KEYS = 10_000;
    static final int STREAM_QUEUE = 1_000;

    private final String node;
    private final EventMetrics metrics;
    private final SinkContext sinkContext;
    private final List<Subscription> subscribers = new CopyOnWriteArrayList<>();
    private final ArrayDeque<Event> recent = new ArrayDeque<>();
    private volatile LongFunction<String[]> attribution = netns -> NO_POD;
    private volatile EventsConfig config = EventsConfig.DEFAULT;
    private volatile java.util.Set<String> types = EventsConfig.DEFAULT.types();
    private volatile RateLimiter limiter = new RateLimiter(EventsConfig.DEFAULT.burst(), EventsConfig.DEFAULT.perSecond(), MAX_RATE_KEYS);
    private volatile List<SinkWorker> workers = List.of();
    private volatile LateAttribution late;
    private final Map<EventsConfig.SinkSpec, SinkWorker> bySpec = new LinkedHashMap<>();
    private long lastId;

    public EventBus(String node, EventMetrics metrics) {
        this(node, metrics, new SinkContext(node));
    }

    /** @param sinkContext what the sinks get from the agent (its node must be {@code node}) */
    public EventBus(String node, EventMetrics metrics, SinkContext sinkContext) {
        this.node = node;
        this.metrics = metrics;
        this.sinkContext = sinkContext;
    }

    /** Names the pod of a namespace: {namespace, pod}, empty strings when not a pod or not known (yet). */
    public void setAttribution(LongFunction<String[]> attribution) {
        this.attribution = attribution;
    }

    /**
     * Lets events of namespaces without a known pod wait up to {@code maxWait} for the attribution to
     * catch up (refreshed by {@code refresh}, at most once a second while some wait), for the namespaces
     * {@code mayWait} accepts. Without it they go out at once without their pod.
     */
    public synchronized void setLateAttribution(LongPredicate mayWait, Runnable refresh, Duration maxWait) {
        if (late != null) {
            late.close();
        }
        late = new LateAttribution(mayWait, refresh, inode -> attribution.apply(inode), this::admit, maxWait);
    }

    /**
     * Applies the config: the types, the rate limit, the sinks. A sink whose config is unchanged keeps its
     * queue and worker; one that cannot start (its file cannot be opened, ...) is left out with a warning,
     * and the others run.
     */
    public synchronized void configure(EventsConfig next) {
        if (next.burst() != config.burst() || next.perSecond() != config.perSecond()) {
            limiter = new RateLimiter(next.burst(), next.perSecond(), MAX_RATE_KEYS);
        }
        Map<EventsConfig.SinkSpec, SinkWorker> kept = new HashMap<>();
        for (EventsConfig.SinkSpec spec : next.sinks()) {
            SinkWorker existing = bySpec.remove(spec);
            if (existing != null && next.queueSize() == config.queueSize()) {
                kept.put(spec, existing);
            } else if (existing != null) {
                existing.close();
            }
        }
        bySpec.values().forEach(SinkWorker::close); // sinks no longer configured
        bySpec.clear();
        List<SinkWorker> running = new ArrayList<>();
        for (EventsConfig.SinkSpec spec : next.sinks()) {
            SinkWorker worker = kept.get(spec);
            if (worker == null) {
                try {
                    worker = new SinkWorker(SinkFactory.create(spec, sinkContext), SinkFactory.filter(spec), next.queueSize(),
                            metrics, node);
                } catch (Exception e) {
                    LOG.warning("event sink " + spec.field() + " (" + spec.type() + ") not started: " + e.getMessage());
                    continue;
                }
            }
            bySpec.put(spec, worker);
            running.add(worker);
        }
        workers = List.copyOf(running);
        config = next;
        types = next.types();
        synchronized (recent) {
            while (recent.size() > next.recent()) {
                recent.removeFirst();
            }
        }
    }

    @Override
    public boolean wants(String type) {
        return types.contains(type);
    }

    /**
     * Applies only the config's types, before the probes start (they leave out the kernel side of the
     * types nobody wants); {@link #configure} applies the rest once the sinks can start.
     */
    public void applyTypes(EventsConfig next) {
        types = next.types();
    }

    @Override
    public void emit(ProbeEvent e) {
        if (!wants(e.type())) {
            return;
        }
        metrics.events.labelValues(e.type()).inc();
        String[] pod = e.netns() == 0 ? NO_POD : attribution.apply(e.netns());
        LateAttribution late = this.late;
        if (pod[1].isEmpty() && e.netns() != 0 && late != null && late.hold(e)) {
            return; // comes back through admit once its pod is known, or after the wait
        }
        admit(e, pod);
    }

    /** Rate limits the event by (type, pod), then numbers and hands it on. */
    private void admit(ProbeEvent e, String[] pod) {
        String key = e.type() + "|" + (pod[1].isEmpty() ? "netns:" + e.netns() : pod[0] + "/" + pod[1]);
        long count = limiter.admit(key, System.nanoTime());
        if (count == 0) {
            metrics.rateLimited.labelValues(e.type()).inc();
            return;
        }
        Map<String, Object> fields = e.fields();
        if (count > 1) {
            fields = new LinkedHashMap<>(fields);
            fields.merge("count", count, (a, b) -> ((Number) a).longValue() + count - 1);
        }
        publish(new Event(0, Instant.now(), node, e.type(), EventTypes.severity(e.type()).name().toLowerCase(), e.probe(),
                e.netns(), pod[0], pod[1], fields, e.message()));
    }

    @Override
    public void lost(String probe, long count) {
        if (count <= 0) {
            return;
        }
        metrics.dropped.labelValues("ring_buffer", probe).inc(count);
        workers.forEach(w -> w.upstreamLost(count));
        subscribers.forEach(s -> s.upstreamLost(count));
    }

    /** Numbers the event and hands it on. */
    void publish(Event unnumbered) {
        Event event;
        synchronized (recent) {
            event = unnumbered.withId(++lastId);
            if (config.recent() > 0) {
                if (recent.size() >= config.recent()) {
                    recent.removeFirst();
                }
                recent.addLast(event);
            }
        }
        for (SinkWorker w : workers) {
            w.offer(event);
        }
        for (Subscription s : subscribers) {
            s.offer(event);
        }
    }

    /**
     * A live stream of the events that pass {@code filter}; with {@code afterId} at or above 0, first the
     * kept events after that id (what a client that reconnects with Last-Event-ID missed), then an
     * EVENTS_LOST event if some it missed are no longer kept.
     */
    public Subscription subscribe(Predicate<Event> filter, long afterId) {
        Subscription s = new Subscription(this, filter, STREAM_QUEUE, metrics);
        synchronized (recent) {
            if (afterId >= 0) {
                long oldestKept = recent.isEmpty() ? lastId + 1 : recent.getFirst().id();
                if (afterId + 1 < oldestKept && afterId < lastId) {
                    s.upstreamLost(Math.min(lastId, oldestKept - 1) - afterId);
                }
                for (Event e : recent) {
                    if (e.id() > afterId) {
                        s.offer(e);
                    }
                }
            }
            subscribers.add(s);
        }
        return s;
    }

    void unsubscribe(Subscription s) {
        subscribers.remove(s);
    }

    /** The id of the last event made (0 before the first). */
    public long lastId() {
        synchronized (recent) {
            return lastId;
        }
    }

    public String node() {
        return node;
    }

    public List<String> sinkNames() {
        return workers.stream().map(SinkWorker::name).toList();
    }

    @Override
    public synchronized void close() {
        if (late != null) {
            late.close();
        }
        bySpec.values().forEach(SinkWorker::close);
        bySpec.clear();
        workers = List.of();
    }
}
