package dev.podnet.event;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/**
 * A live reader of the bus (an {@code /events} client): a bounded queue of its own, so a slow reader
 * loses events (and is told with one EVENTS_LOST event) rather than slowing the bus or other readers.
 */
public final class Subscription implements AutoCloseable {
    private final Predicate<Event> filter;
    private final ArrayBlockingQueue<Event> queue;
    private final AtomicLong lost = new AtomicLong();
    private final EventBus bus;
    private final EventMetrics metrics;
    private static final long LOSS_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

    Subscription(EventBus bus, Predicate<Event> filter, int capacity, EventMetrics metrics) {
        this.bus = bus;
        this.filter = filter;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.metrics = metrics;
    }

    void offer(Event event) {
        if (!filter.test(event)) {
            return;
        }
        if (!queue.offer(event)) {
            lost.incrementAndGet();
            metrics.dropped.labelValues("stream", "events").inc();
        }
    }

    void upstreamLost(long count) {
        lost.addAndGet(count);
    }

    /**
     * The next event within the timeout, or null. After a loss, an EVENTS_LOST event (with the id of the
     * last event seen, so a resume continues from there) comes first.
     */
    public Event poll(long timeout, TimeUnit unit) throws InterruptedException {
        long deadline = System.nanoTime() + unit.toNanos(timeout);
        while (true) {
            long missed = lost.getAndSet(0);
            if (missed > 0) {
                return Event.lost(bus.lastId(), bus.node(), missed, "this stream was too slow");
            }
            long left = deadline - System.nanoTime();
            // waits in slices, so a loss upstream (a full ring buffer) is told on a quiet stream too
            Event next = queue.poll(Math.max(0, Math.min(left, LOSS_CHECK_NANOS)), TimeUnit.NANOSECONDS);
            if (next != null || left <= LOSS_CHECK_NANOS) {
                return next;
            }
        }
    }

    @Override
    public void close() {
        bus.unsubscribe(this);
    }
}
