package dev.podnet.probe;

/**
 * A probe as /status shows it.
 *
 * @param reason         why it is unavailable or failed; null when running
 * @param lastError      the last collection error, or null
 * @param lastDurationMs duration of its last completed collection
 */
public record ProbeStatus(String name, String source, String overhead, ProbeState state, String reason,
                          String lastError, double lastDurationMs, long errors, long late) {
}
