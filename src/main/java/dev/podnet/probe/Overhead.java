package dev.podnet.probe;

/** Rough cost class of a probe, so operators can choose what to turn on. */
public enum Overhead {
    LOW, MEDIUM, HIGH;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
