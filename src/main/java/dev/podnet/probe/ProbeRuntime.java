package dev.podnet.probe;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;

/** A configured probe and what the engine remembers about it between collections. */
final class ProbeRuntime {
    final Probe probe;
    final ProbeInfo info;
    /** The settings it was started with: a reload that changes them restarts the probe. */
    final Map<String, Object> settings;
    volatile ProbeState state;
    volatile String reason;
    volatile String lastError;
    volatile double lastDurationSeconds;
    /** Samples of the last completed collection; served again when the probe misses its deadline. */
    volatile List<Sample> lastSamples = List.of();
    final AtomicLong errors = new AtomicLong();
    final AtomicLong parseErrors = new AtomicLong();
    final AtomicLong late = new AtomicLong();
    /** The collection still running for this probe, if any; a late probe is never started twice. */
    CompletableFuture<List<Sample>> inFlight;

    ProbeRuntime(Probe probe, Map<String, Object> settings) {
        this.probe = probe;
        this.info = probe.info();
        this.settings = settings;
    }

    ProbeStatus status() {
        return new ProbeStatus(info.name(), info.source().label(), info.overhead().label(), state, reason, lastError,
                lastDurationSeconds * 1000.0, errors.get(), late.get());
    }
}
