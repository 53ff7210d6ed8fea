package dev.podnet.health;

import java.util.function.BooleanSupplier;

/**
 * One check in progress: where its sockets are made, its sequence number (ICMP echo sequence), the moment
 * it must have its answer by, and whether the checker is stopping.
 */
record CheckRun(CheckOrigin origin, int sequence, long deadlineNanos, BooleanSupplier stopped) {

    /** Milliseconds left until the deadline; 0 or less when it has passed. */
    int millisLeft() {
        long left = deadlineNanos - System.nanoTime();
        return left <= 0 ? 0 : (int) Math.max(1, Math.min(Integer.MAX_VALUE, left / 1_000_000));
    }

    boolean isStopped() {
        return stopped.getAsBoolean();
    }
}
