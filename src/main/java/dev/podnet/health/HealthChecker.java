package dev.podnet.health;

import dev.podnet.netns.Libc;
import dev.podnet.probe.EventEmitter;
import dev.podnet.probe.MetricSink;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;

/**
 * Health checks from the node to pods, MonitorPolicy's {@code healthCheck}: each target is checked every
 * {@code period} with a ping, an ARP request or an HTTP GET (see {@link CheckKind}), and its series say
 * whether it is up, how many checks succeeded and failed, and how long the answers took. {@code up}
 * appears once the first check has finished (before that nothing is known); the duration histogram holds
 * successful checks only, since a failed check lasts its timeout, which says nothing about the pod.
 *
 * <p>The timeout of a check is min(period, 2 s): a check never outlives the period (the next check is
 * due then), and 2 s is far beyond any answer from a pod on the same node (a veth away, typically well
 * under a millisecond), so a longer wait would only hold a thread and a permit for a pod that is gone.
 * The deadline runs from the moment the check was due, so a check that times out has ended by the time
 * the next one is due.
 *
 * <p>Bounded and never blocking. One scheduler thread only hands due checks to a pool, and a check runs
 * on its own thread with its own deadline, so a slow pod delays no other. At most {@code maxInFlight}
 * checks run at once; a check due while the previous check of its target is still running, or while all
 * permits are taken, is skipped and counted, never queued. Targets beyond {@code maxTargets} are ignored
 * and counted. The pool's threads are platform threads: raw-socket checks wait in poll(2) through
 * java.lang.foreign, which would pin a virtual thread's carrier for the whole wait. The first check of a
 * new target comes at a random point of its first period, so that thousands of targets added at once
 * do not all fire together. {@link #write} only reads the latest results.
 *
 * <p>A check that cannot be made (no CAP_NET_RAW, no route, an IPv6 ARPING target, port 0) is a failed
 * check with a reason, logged once per target and reason; nothing is thrown.
 */
public final class HealthChecker implements AutoCloseable {
    static final int DEFAULT_MAX_TARGETS = 4096;
    static final int DEFAULT_MAX_IN_FLIGHT = 64;
    static final Duration MAX_TIMEOUT = Duration.ofSeconds(2);
    private static final Logger LOG = Logger.getLogger(HealthChecker.class.getName());
    private static final int EPERM = 1;

    private final CheckOrigin origin;
    private final int maxTargets;
    private final Semaphore permits;
    private final ScheduledThreadPoolExecutor scheduler;
    private final ThreadPoolExecutor pool;
    private final Map<String, ScheduledTarget> targets = new ConcurrentHashMap<>();
    private final LongAdder skipped = new LongAdder();
    private volatile int ignored;
    private volatile boolean closed;
    private volatile EventEmitter events = EventEmitter.NONE;

    /** Where a target going down or coming back is reported (HEALTH_CHECK_FAILED / HEALTH_CHECK_RECOVERED). */
    public void setEvents(EventEmitter events) {
        this.events = events;
    }

    /** Checks sent from the agent's own network namespace. */
    public HealthChecker() {
        this(CheckOrigin.own());
    }

    /** Checks sent from {@code origin}, e.g. the host's namespace when the agent has one of its own. */
    public HealthChecker(CheckOrigin origin) {
        this(origin, DEFAULT_MAX_TARGETS, DEFAULT_MAX_IN_FLIGHT);
    }

    HealthChecker(CheckOrigin origin, int maxTargets, int maxInFlight) {
        this.origin = origin;
        this.maxTargets = maxTargets;
        this.permits = new Semaphore(maxInFlight);
        this.scheduler = new ScheduledThreadPoolExecutor(1,
                Thread.ofPlatform().name("podnet-health-scheduler").daemon(true).factory());
        scheduler.setRemoveOnCancelPolicy(true);
        // as many threads as permits, made when needed and let go when idle: the semaphore bounds the queue
        this.pool = new ThreadPoolExecutor(maxInFlight, maxInFlight, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(),
                Thread.ofPlatform().name("podnet-health-", 0).daemon(true).factory());
        pool.allowCoreThreadTimeOut(true);
    }

    /**
     * Makes the set of targets exactly {@code wanted}: new ones start checking at once, vanished ones stop
     * and their series disappear, ones whose key stays keep their state (also under new labels); a key
     * whose address, kind, period, threshold, port or path changed starts again with fresh state. Of two
     * targets with one key the first counts. Targets already checked keep their place when the limit is
     * reached; the new ones beyond it are ignored.
     */
    public synchronized void retain(List<HealthTarget> wanted) {
        if (closed) {
            return;
        }
        Map<String, HealthTarget> byKey = new LinkedHashMap<>();
        for (HealthTarget t : wanted) {
            byKey.putIfAbsent(t.key(), t);
        }
        Map<String, ScheduledTarget> kept = new LinkedHashMap<>();
        for (HealthTarget t : byKey.values()) {
            ScheduledTarget current = targets.get(t.key());
            if (current != null && kept.size() < maxTargets) {
                if (current.target().sameCheck(t)) {
                    current.relabel(t);
                    kept.put(t.key(), current);
                } else {
                    current.cancel();
                    kept.put(t.key(), start(t));
                }
            }
        }
        for (HealthTarget t : byKey.values()) {
            if (!kept.containsKey(t.key()) && !targets.containsKey(t.key()) && kept.size() < maxTargets) {
                kept.put(t.key(), start(t));
            }
        }
        for (ScheduledTarget old : targets.values()) {
            if (kept.get(old.target().key()) != old) {
                old.cancel();
            }
        }
        targets.keySet().retainAll(kept.keySet());
        targets.putAll(kept);
        ignored = byKey.size() - kept.size();
    }

    private ScheduledTarget start(HealthTarget t) {
        long period = t.period().toNanos();
        ScheduledTarget target = new ScheduledTarget(t, Math.min(period, MAX_TIMEOUT.toNanos()));
        long delay = ThreadLocalRandom.current().nextLong(period);
        target.firstDue(System.nanoTime() + delay);
        target.scheduled(scheduler.scheduleAtFixedRate(() -> tick(target), delay, period, TimeUnit.NANOSECONDS));
        return target;
    }

    /** On the scheduler thread: hands the due check to the pool, or skips it. Never waits. */
    private void tick(ScheduledTarget target) {
        try {
            long now = System.nanoTime();
            long due = target.nextDue(now);
            if (closed || target.cancelled()) {
                return;
            }
            if (target.busyAt(now) || !permits.tryAcquire()) {
                skipped.increment();
                return;
            }
            CheckRun run = target.begin(origin, due, this::stopping);
            try {
                pool.execute(() -> runCheck(target, run));
            } catch (RejectedExecutionException e) {
                target.end();
                permits.release();
            }
        } catch (RuntimeException e) {
            // a throwing task would end its schedule for good
            LOG.warning("health check scheduling of " + target.target() + " failed: " + e);
        }
    }

    private boolean stopping() {
        return closed;
    }

    private void runCheck(ScheduledTarget target, CheckRun run) {
        try {
            CheckOutcome outcome = check(target.target(), run);
            if (!closed && !target.cancelled()) {
                Integer before = target.state().snapshot().up();
                String log = target.record(outcome);
                if (log != null) {
                    LOG.warning("health check of " + target.target() + " failed: " + log);
                }
                HealthEvents.transition(events, target.target(), before, target.state().snapshot().up(), outcome);
            }
        } finally {
            target.end();
            permits.release();
        }
    }

    static CheckOutcome check(HealthTarget target, CheckRun run) {
        try {
            return switch (target.kind()) {
                case PING -> PingCheck.run(target, run);
                case ARPING -> ArpingCheck.run(target, run);
                case CURL -> HttpCheck.run(target, run);
            };
        } catch (Libc.ErrnoException e) {
            return CheckOutcome.error(e.getMessage() + (e.errno() == EPERM ? " (raw sockets need CAP_NET_RAW)" : ""));
        } catch (IOException | RuntimeException e) {
            return CheckOutcome.error(target.kind() + " " + Addresses.literal(target.address()) + ": " + e);
        }
    }

    /** Writes the latest results of every target and the checker's own counts; never waits for a check. */
    public void write(MetricSink out) {
        out.gauge("podnet_health_check_targets", "Health check targets being checked", targets.size());
        out.gauge("podnet_health_check_targets_ignored", "Health check targets not checked because the limit of "
                + maxTargets + " targets was reached", ignored);
        out.counter("podnet_health_checks_skipped_total", "Health checks not started because the previous check of "
                + "the same target was still running or too many checks were running", skipped.sum());
        for (ScheduledTarget target : targets.values()) {
            ScheduledTarget.Labels labels = target.labels();
            TargetState.Snapshot s = target.state().snapshot();
            if (s.up() != null) {
                out.gauge("podnet_health_check_up", "1 if the target answers its health checks, 0 once failureThreshold "
                        + "checks in a row have failed", s.up(), labels.base());
            }
            out.counter("podnet_health_checks_total", "Health checks of the target by result", s.successes(),
                    labels.success());
            out.counter("podnet_health_checks_total", "Health checks of the target by result", s.failures(),
                    labels.failure());
            out.histogram("podnet_health_check_duration_seconds", "Time from sending a health check to the answer "
                    + "that made it succeed (echo reply, ARP reply, TCP connection)", s.answerSeconds(), labels.base());
        }
    }

    /** The reason of the target's latest failed check, or null; for tests and /status. */
    String lastFailure(String key) {
        ScheduledTarget t = targets.get(key);
        return t == null ? null : t.lastFailure();
    }

    /**
     * Stops every schedule and check. Raw-socket checks notice within one poll slice, HTTP checks are
     * interrupted (which closes their channel); each closes its socket as it ends.
     */
    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            targets.values().forEach(ScheduledTarget::cancel);
            targets.clear();
        }
        scheduler.shutdownNow();
        pool.shutdownNow();
        try {
            pool.awaitTermination(RawSocket.POLL_SLICE_MILLIS * 10L, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
