package dev.podnet.probe;

import dev.podnet.netns.Netns;
import dev.podnet.netns.NetnsReader;
import java.util.Map;

/**
 * One source of metrics. Probes fail alone: an exception from one probe is counted against it and never
 * reaches another probe or the scrape. A probe knows nothing about HTTP or attribution.
 *
 * <p>{@link #collectNamespace} is called concurrently for different namespaces, so it must keep no
 * per-call state in fields.
 */
public interface Probe extends AutoCloseable {

    ProbeInfo info();

    /**
     * Checks the probe's {@code probeSettings} without acquiring anything, so that a config with a bad
     * setting is refused when it is loaded (a reload keeps the last good config) instead of failing the
     * probe later. A probe without settings refuses any, so a misplaced setting is not silently ignored.
     *
     * @throws IllegalArgumentException naming the setting and what is wrong with it
     */
    default void checkSettings(Map<String, Object> settings) {
        if (!settings.isEmpty()) {
            throw new IllegalArgumentException("probeSettings." + info().name() + ": this probe has no settings, got "
                    + settings.keySet());
        }
    }

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
