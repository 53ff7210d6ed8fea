package dev.podnet.probe;

/**
 * Where probes hand their events. Never blocks and never throws: the pipeline behind it queues, rate
 * limits and drops (counting what it drops), so a probe can call it from its hot path.
 */
public interface EventEmitter {
    EventEmitter NONE = new EventEmitter() {
        @Override
        public void emit(ProbeEvent event) {
        }

        @Override
        public boolean wants(String type) {
            return false;
        }
    };

    void emit(ProbeEvent event);

    /**
     * Whether events of this type are wanted at all (config {@code events.types}): a probe may skip the
     * work of making them, or keep its kernel side from producing them, when not.
     */
    boolean wants(String type);

    /**
     * Events a probe lost before they reached the emitter (its BPF ring buffer was full): counted, and
     * announced on every stream as an EVENTS_LOST event.
     */
    default void lost(String probe, long count) {
    }
}
