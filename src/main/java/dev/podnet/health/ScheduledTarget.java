package dev.podnet.health;

import java.util.Arrays;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * A target while it is being checked: its schedule, its results, and the label arrays its series carry
 * (built once, not per scrape). The scheduler thread alone calls {@link #nextDue} and {@link #begin};
 * checks end on pool threads; scrapes read {@link #state()} and {@link #labels()}.
 */
final class ScheduledTarget {
    /** The label arrays of one target's series: its own labels, and with {@code result} for the counter. */
    record Labels(String[] base, String[] success, String[] failure) {
        static Labels of(HealthTarget target) {
            String[] base = target.labels();
            return new Labels(base, with(base, "result", "success"), with(base, "result", "failure"));
        }

        private static String[] with(String[] labels, String name, String value) {
            String[] all = Arrays.copyOf(labels, labels.length + 2);
            all[labels.length] = name;
            all[labels.length + 1] = value;
            return all;
        }
    }

    private volatile HealthTarget target;
    private volatile Labels labels;
    private final TargetState state;
    private final long periodNanos;
    private final long timeoutNanos;
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile long latestDeadline;
    private long nominalDue;
    private int sequence;
    private volatile ScheduledFuture<?> future;
    private volatile boolean cancelled;
    private volatile String lastFailure;
    private String lastLogged;

    ScheduledTarget(HealthTarget target, long timeoutNanos) {
        this.target = target;
        this.labels = Labels.of(target);
        this.state = new TargetState(target.failureThreshold());
        this.periodNanos = target.period().toNanos();
        this.timeoutNanos = timeoutNanos;
    }

    HealthTarget target() {
        return target;
    }

    Labels labels() {
        return labels;
    }

    TargetState state() {
        return state;
    }

    /** The same check under new labels: the state stays, the series are written with the new labels. */
    void relabel(HealthTarget relabelled) {
        this.target = relabelled;
        this.labels = Labels.of(relabelled);
    }

    /** When the first check is due (System.nanoTime); set before the schedule starts. */
    void firstDue(long nanos) {
        this.nominalDue = nanos;
    }

    void scheduled(ScheduledFuture<?> scheduled) {
        this.future = scheduled;
    }

    /**
     * The time the check of this tick was due, following the nominal schedule (so deadlines do not drift
     * with the scheduler's lateness), or now when the scheduler has fallen a whole period behind.
     */
    long nextDue(long now) {
        long due = nominalDue;
        if (now - due > periodNanos) {
            due = now;
        }
        nominalDue = due + periodNanos;
        return due;
    }

    /**
     * Whether the previous check is still running and still within its time. One that has passed its
     * deadline is only finishing (its failure being recorded); skipping for it would make a timeout equal
     * to the period skip every other check.
     */
    boolean busyAt(long now) {
        return inFlight.get() > 0 && now - latestDeadline < 0;
    }

    /** Starts a check that was due at {@code due}; the caller runs it and then calls {@link #end()}. */
    CheckRun begin(CheckOrigin origin, long due, BooleanSupplier stopped) {
        long deadline = due + timeoutNanos;
        latestDeadline = deadline;
        inFlight.incrementAndGet();
        return new CheckRun(origin, sequence++, deadline, stopped);
    }

    void end() {
        inFlight.decrementAndGet();
    }

    void cancel() {
        cancelled = true;
        ScheduledFuture<?> f = future;
        if (f != null) {
            f.cancel(false);
        }
    }

    boolean cancelled() {
        return cancelled;
    }

    String lastFailure() {
        return lastFailure;
    }

    /**
     * Records a finished check; returns the reason to log, if this failure is a problem on the node's side
     * not yet logged for this target (a missing capability would otherwise log every period, forever).
     */
    synchronized String record(CheckOutcome outcome) {
        state.record(outcome);
        if (outcome.success()) {
            return null;
        }
        lastFailure = outcome.reason();
        if (outcome.localError() && !outcome.reason().equals(lastLogged)) {
            lastLogged = outcome.reason();
            return outcome.reason();
        }
        return null;
    }
}
