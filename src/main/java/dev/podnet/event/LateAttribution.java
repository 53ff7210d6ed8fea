package dev.podnet.event;

import dev.podnet.probe.ProbeEvent;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.LongFunction;
import java.util.function.LongPredicate;
import java.util.logging.Logger;

/**
 * Events of a namespace the attribution does not know yet (a pod started since the last collection) wait
 * here a little, instead of going out without their pod: once a second, while some wait, the attribution
 * is refreshed, and each waiting event goes on as soon as its namespace has a pod, or after
 * {@code maxWait} without one. Bounded: when the queue is full an event goes on at once, unattributed.
 */
final class LateAttribution implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(LateAttribution.class.getName());
    static final int MAX_WAITING = 10_000;

    private record Waiting(ProbeEvent event, long sinceNanos) {
    }

    private final LongPredicate mayWait;
    private final Runnable refresh;
    private final LongFunction<String[]> attribution;
    private final BiConsumer<ProbeEvent, String[]> onward;
    private final long maxWaitNanos;
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private final Thread thread;
    private volatile boolean closed;

    /**
     * @param mayWait     whether an event of this namespace may wait (not the host's, Kubernetes on)
     * @param refresh     refreshes the attribution (discovery and the namespaces' addresses)
     * @param attribution {namespace, pod} of a namespace, empty strings when not known
     * @param onward      where events go, with their attribution, when they stop waiting
     */
    LateAttribution(LongPredicate mayWait, Runnable refresh, LongFunction<String[]> attribution,
                    BiConsumer<ProbeEvent, String[]> onward, Duration maxWait) {
        this.mayWait = mayWait;
        this.refresh = refresh;
        this.attribution = attribution;
        this.onward = onward;
        this.maxWaitNanos = maxWait.toNanos();
        this.thread = Thread.ofVirtual().name("podnet-late-attribution").start(this::run);
    }

    /** Whether the event waits (true) or should go on now, unattributed (false). */
    boolean hold(ProbeEvent event) {
        if (closed || !mayWait.test(event.netns())) {
            return false;
        }
        synchronized (waiting) {
            if (waiting.size() >= MAX_WAITING) {
                return false;
            }
            waiting.addLast(new Waiting(event, System.nanoTime()));
            waiting.notifyAll();
        }
        return true;
    }

    private void run() {
        while (!closed) {
            try {
                synchronized (waiting) {
                    while (waiting.isEmpty() && !closed) {
                        waiting.wait();
                    }
                }
                Thread.sleep(1000); // gather: one refresh for all the events of a second
                try {
                    refresh.run();
                } catch (RuntimeException e) {
                    LOG.fine("refreshing the attribution for waiting events failed: " + e);
                }
                release(false);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void release(boolean all) {
        List<Waiting> ready = new ArrayList<>();
        List<String[]> pods = new ArrayList<>();
        long now = System.nanoTime();
        synchronized (waiting) {
            for (var it = waiting.iterator(); it.hasNext(); ) {
                Waiting w = it.next();
                String[] pod = attribution.apply(w.event().netns());
                if (all || !pod[1].isEmpty() || now - w.sinceNanos() >= maxWaitNanos) {
                    it.remove();
                    ready.add(w);
                    pods.add(pod);
                }
            }
        }
        for (int i = 0; i < ready.size(); i++) {
            onward.accept(ready.get(i).event(), pods.get(i));
        }
    }

    /** Lets every waiting event go on as it is. */
    @Override
    public void close() {
        closed = true;
        thread.interrupt();
        release(true);
    }
}
