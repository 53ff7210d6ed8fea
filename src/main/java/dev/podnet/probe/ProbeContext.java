package dev.podnet.probe;

import dev.podnet.netns.NetnsEnterer;
import java.nio.file.Path;

/**
 * What a probe may use when it starts.
 *
 * @param procRoot  the procfs root (normally /proc); tests point it at fixtures
 * @param enterer   runs work inside a network namespace
 * @param settings  per-probe settings from the config ({@code probeSettings.<name>}), never null
 * @param events    where the probe reports anomalies as events (never blocks)
 */
public record ProbeContext(Path procRoot, NetnsEnterer enterer, java.util.Map<String, Object> settings,
                           EventEmitter events) {

    public ProbeContext(Path procRoot, NetnsEnterer enterer, java.util.Map<String, Object> settings) {
        this(procRoot, enterer, settings, EventEmitter.NONE);
    }
}
