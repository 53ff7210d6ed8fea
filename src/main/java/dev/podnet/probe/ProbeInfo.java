package dev.podnet.probe;

import java.util.Objects;

/**
 * What a probe is: its name (as used in the config's {@code probes:} list), where its data comes from,
 * what it costs, whether it runs when the config does not list probes, and which collection hooks
 * the engine must call.
 *
 * @param perNamespace the engine calls {@link Probe#collectNamespace} once for every network namespace
 * @param nodeWide     the engine calls {@link Probe#collectNode} once per collection
 */
public record ProbeInfo(String name, ProbeSource source, Overhead overhead, boolean enabledByDefault,
                        boolean perNamespace, boolean nodeWide, String description) {
    public ProbeInfo {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(source, "source");
        Objects.requireNonNull(overhead, "overhead");
        if (!perNamespace && !nodeWide) {
            throw new IllegalArgumentException("probe " + name + " must collect per namespace, node-wide or both");
        }
    }
}
