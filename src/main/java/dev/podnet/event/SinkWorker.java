package dev.podnet.event;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import java.util.logging.Logger;

/**
 * One sink's bounded queue and the thread that empties it. {@link #offer} never blocks: an event that
 * does not fit is dropped and counted, and the sink's stream then carries one EVENTS_LOST event with the
 * count before the next events. A batch the sink may take later (retryable error) is sent again with
 * exponential backoff while the queue keeps filling (and dropping, counted); one it will never take is
 * dropped and counted.
 */
public final class SinkWorker implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SinkWorker.class.getName());
    static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
    static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final EventSink sink;
    private final Predicate<Event> accepts;
    private final ArrayBlockingQueue<Event> queue;
    private final EventMetrics metrics;
    private final String node;
    private final AtomicLong lost = new AtomicLong();
    private final Thread thread;
    private volatile boolean closing;
    private long droppedSinceLog;
    private long lastDropLogNanos;

    /**
     * @param accepts  the sink's {@code types} filter
     * @param capacity events its queue holds at most
     */
    public SinkWorker(EventSink sink, Predicate<Event> accepts, int capacity, EventMetrics metrics, String node) {
        this.sink = sink;
        this.accepts = accepts;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.metrics = metrics;
        this.node = node;
        this.thread = Thread.ofPlatform().name("podnet-sink-" + sink.name()).daemon(true).start(this::run);
    }

    public String name() {
        return sink.name();
    }

    /** Queues the event if the sink takes its type; never blocks. */
    public void offer(Event event) {
        if (!accepts.test(event)) {
            return;
        }
        if (!queue.offer(event)) {
            lost.incrementAndGet();
            metrics.dropped.labelValues("sink_queue", sink.name()).inc();
        }
        metrics.queueLength.labelValues(sink.name()).set(queue.size());
    }

    /** Events lost upstream (e.g. a probe's ring buffer): this sink's stream says so too. */
    public void upstreamLost(long count) {
        lost.addAndGet(count);
    }

    private void run() {
        Duration backoff = FIRST_BACKOFF;
        List<Event> batch = new ArrayList<>();
        while (!closing || !queue.isEmpty() || !batch.isEmpty()) {
            try {
                if (batch.isEmpty()) {
                    fill(batch);
                    if (batch.isEmpty()) {
                        continue;
                    }
                }
                try {
                    sink.send(batch);
                    metrics.sent.labelValues(sink.name()).inc(batch.size());
                    batch.clear();
                    backoff = FIRST_BACKOFF;
                } catch (EventSink.SinkException e) {
                    metrics.errors.labelValues(sink.name()).inc();
                    if (!e.retryable() || closing) {
                        warnDropped(batch.size(), e.getMessage());
                        metrics.dropped.labelValues("rejected", sink.name()).inc(batch.size());
                        batch.clear();
                    } else {
                        LOG.fine(() -> "event sink " + sink.name() + ": will retry: " + e.getMessage());
                        Thread.sleep(backoff.toMillis());
                        backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
                    }
                } catch (RuntimeException e) {
                    metrics.errors.labelValues(sink.name()).inc();
                    metrics.dropped.labelValues("rejected", sink.name()).inc(batch.size());
                    LOG.warning("event sink " + sink.name() + " failed: " + e);
                    batch.clear();
                }
                metrics.queueLength.labelValues(sink.name()).set(queue.size());
            } catch (InterruptedException e) {
                if (!closing) {
                    Thread.currentThread().interrupt();
                }
                return;
            }
        }
    }

    /**
     * Logs refused events at most once a minute per sink, with the number since the last line: a sink
     * refusing a steady flood (a rate limit, a bad request) must not flood the log in turn.
     */
    private void warnDropped(int events, String reason) {
        droppedSinceLog += events;
        long now = System.nanoTime();
        if (lastDropLogNanos == 0 || now - lastDropLogNanos >= 60_000_000_000L) {
            LOG.warning("event sink " + sink.name() + ": " + droppedSinceLog + " events dropped"
                    + (lastDropLogNanos == 0 ? "" : " in the last minute") + "; last reason: " + reason);
            droppedSinceLog = 0;
            lastDropLogNanos = now;
        }
    }

    /** Waits for the first event, then gathers up to maxBatch for at most maxDelay; losses go first. */
    private void fill(List<Event> batch) throws InterruptedException {
        Event first = queue.poll(200, TimeUnit.MILLISECONDS);
        long missed = lost.getAndSet(0);
        if (missed > 0) {
            batch.add(Event.lost(0, node, missed, "sink " + sink.name()));
        }
        if (first == null) {
            return;
        }
        batch.add(first);
        long deadline = System.nanoTime() + sink.maxDelay().toNanos();
        while (batch.size() < sink.maxBatch()) {
            long wait = deadline - System.nanoTime();
            Event next = wait <= 0 ? queue.poll() : queue.poll(wait, TimeUnit.NANOSECONDS);
            if (next == null) {
                break;
            }
            batch.add(next);
        }
    }

    /** Stops taking events, delivers what is queued (giving up on retries), and closes the sink. */
    @Override
    public void close() {
        closing = true;
        try {
            thread.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        thread.interrupt();
        metrics.queueLength.remove(sink.name());
        sink.close();
    }
}
