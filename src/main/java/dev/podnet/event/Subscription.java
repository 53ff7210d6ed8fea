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
        long missed = lost.getAndSet(0);
        if (missed > 0) {
            return Event.lost(bus.lastId(), bus.node(), missed, "this stream was too slow");
        }
        return queue.poll(timeout, unit);
    }

    @Override
    public void close() {
        bus.unsubscribe(this);
    }
}
