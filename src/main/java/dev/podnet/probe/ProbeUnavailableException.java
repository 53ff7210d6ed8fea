package dev.podnet.probe;

/**
 * Thrown by {@link Probe#start} when the probe cannot run on this host (no BTF, no tracepoint, no
 * permission, file absent). The probe is then reported {@code unavailable} with this message as the
 * reason, and every other probe keeps running.
 */
public class ProbeUnavailableException extends Exception {
    public ProbeUnavailableException(String reason) {
        super(reason);
    }

    public ProbeUnavailableException(String reason, Throwable cause) {
        super(reason, cause);
    }
}
