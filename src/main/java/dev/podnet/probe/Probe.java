package dev.podnet.probe;

import dev.podnet.netns.Netns;
import dev.podnet.netns.NetnsReader;

/**
 * One source of metrics. Probes fail alone: an exception from one probe is counted against it and never
 * reaches another probe or the scrape. A probe knows nothing about HTTP or attribution.
 *
 * <p>{@link #collectNamespace} is called concurrently for different namespaces, so it must keep no
 * per-call state in fields.
 */
public interface Probe extends AutoCloseable {

    ProbeInfo info();

    /** Acquires what the probe needs (BPF programs, sockets). Called once, before any collection. */
    default void start(ProbeContext context) throws ProbeUnavailableException {
    }

    /** Samples of one network namespace; reads its files through {@code reader}. */
    default void collectNamespace(Netns netns, NetnsReader reader, MetricSink out) throws Exception {
    }

    /** Node-wide samples, once per collection. {@code netns} lists the namespaces known now. */
    default void collectNode(NodeView node, MetricSink out) throws Exception {
    }

    /** Releases what {@link #start} acquired. Must not throw. */
    @Override
    default void close() {
    }
}
