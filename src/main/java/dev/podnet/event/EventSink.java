package dev.podnet.event;

import java.time.Duration;
import java.util.List;

/**
 * A destination of events. Its worker ({@link SinkWorker}) calls it from one thread, with batches of up
 * to {@link #maxBatch()} events gathered for at most {@link #maxDelay()}.
 */
public interface EventSink extends AutoCloseable {

    /** The {@code sink} label of its metrics, e.g. {@code loki}, {@code file:/var/log/podnet.ndjson}. */
    String name();

    /**
     * Delivers the batch.
     *
     * @throws SinkException retryable (the other side may take it later: 429, 5xx, connection refused)
     *                       or not (it never will: other 4xx, a malformed event)
     */
    void send(List<Event> batch) throws SinkException;

    default int maxBatch() {
        return 1;
    }

    default Duration maxDelay() {
        return Duration.ZERO;
    }

    @Override
    default void close() {
    }

    /** Why a batch was not delivered, and whether sending it again may succeed. */
    final class SinkException extends Exception {
        private final boolean retryable;

        public SinkException(String message, boolean retryable, Throwable cause) {
            super(message, cause);
            this.retryable = retryable;
        }

        public SinkException(String message, boolean retryable) {
            this(message, retryable, null);
        }

        public boolean retryable() {
            return retryable;
        }
    }
}
