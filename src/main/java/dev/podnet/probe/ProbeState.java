package dev.podnet.probe;

/** Lifecycle of a configured probe, as shown in /status. */
public enum ProbeState {
    /** Started; collecting. */
    RUNNING,
    /** Started, then broke: start threw something other than {@link ProbeUnavailableException}. */
    FAILED,
    /** Cannot run on this host; the reason says why (missing tracepoint, BTF, permission, file). */
    UNAVAILABLE;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
