package dev.podnet.probe;

import dev.podnet.netns.Netns;
import java.util.List;

/**
 * Gives each network namespace its attribution labels. Every per-namespace series carries {@code netns}
 * followed by {@link #labelNames()}. Host mode leaves {@code namespace} and {@code pod} empty;
 * Kubernetes attribution fills them and adds the configured pod labels.
 */
public interface NetnsLabeler {

    /** Label names after {@code netns}; always starts with {@code namespace}, {@code pod}. */
    List<String> labelNames();

    /** Values for {@link #labelNames()}, in order, for this namespace (empty strings when unknown). */
    String[] labelValues(long inode);

    NetnsLabeler HOST_MODE = new NetnsLabeler() {
        private final List<String> names = List.of("namespace", "pod");

        @Override
        public List<String> labelNames() {
            return names;
        }

        @Override
        public String[] labelValues(long inode) {
            return new String[] {"", ""};
        }
    };

    /**
     * Called once at the start of every collection with the namespaces just discovered; the engine then
     * uses the returned labeler for that whole collection. A labeler whose answers depend on the
     * namespaces (Kubernetes attribution reads each one's addresses) refreshes here and returns a frozen
     * view, so that names and values cannot change half-way through a collection.
     */
    default NetnsLabeler forCollection(List<Netns> namespaces) {
        return this;
    }

    /**
     * Writes the series that describe this attribution itself (Kubernetes: {@code podnet_pod_info}). The
     * engine calls it on the labeler {@link #forCollection} returned, into that collection's node-wide
     * samples, so they always agree with the labels the collection's series carry. None by default.
     */
    default void describe(MetricSink out) {
    }

    /**
     * Writes series made from the collection's own samples (Kubernetes: the MonitorPolicy tasks' series of
     * the pods they select). The engine calls it on the labeler {@link #forCollection} returned, after every
     * probe's samples are in. None by default.
     */
    default void derive(List<Sample> collected, MetricSink out) {
    }

    /**
     * The flows that monitoring tasks ask for in this collection (Kubernetes: per-flow items of the
     * MonitorPolicy tasks, for the namespaces of the pods they select). None by default.
     */
    default List<FlowWatch> flowWatches() {
        return List.of();
    }

    /** Convenience for places that hold a {@link Netns}. */
    default String[] labelValues(Netns netns) {
        return labelValues(netns.inode());
    }
}
