package dev.podnet.health;

import java.net.InetAddress;
import java.time.Duration;
import java.util.Arrays;
import java.util.Objects;

/**
 * One thing to check. {@code key} identifies it across updates (same key = same state kept). {@code labels}
 * are name,value pairs written on every series of this target, e.g. task, namespace, pod, pod labels,
 * ipfamily; they must not use the names {@code result} or {@code le}, which the checker adds itself.
 *
 * <p>{@code port} and {@code path} matter for {@link CheckKind#CURL} only (an empty path is {@code /}). A
 * {@code failureThreshold} below 1 counts as 1. Inputs that cannot be checked (an IPv6 address with
 * ARPING, port 0 with CURL) are accepted here and reported as failed checks with the reason. {@code netns}
 * is the inode of the pod's network namespace, which its events name (0: unknown).
 */
public record HealthTarget(String key, String[] labels, InetAddress address, CheckKind kind,
                           int failureThreshold, Duration period, int port, String path, long netns) {

    /** A target whose network namespace is not known (its events are then node-wide). */
    public HealthTarget(String key, String[] labels, InetAddress address, CheckKind kind, int failureThreshold,
                        Duration period, int port, String path) {
        this(key, labels, address, kind, failureThreshold, period, port, path, 0);
    }

    public HealthTarget {
        Objects.requireNonNull(key, "key");
        Objects.requireNonNull(address, "address");
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(period, "period");
        labels = labels == null ? new String[0] : labels.clone();
        if ((labels.length & 1) != 0) {
            throw new IllegalArgumentException("health target " + key + ": labels must be name/value pairs");
        }
        if (period.isNegative() || period.isZero()) {
            throw new IllegalArgumentException("health target " + key + ": period must be positive, is " + period);
        }
        failureThreshold = Math.max(1, failureThreshold);
        path = path == null ? "" : path;
    }

    @Override
    public String[] labels() {
        return labels.clone();
    }

    /**
     * Whether {@code other} is checked the same way (address, kind, threshold, period, port, path): then a
     * new set of targets keeps this one's state even if its labels changed.
     */
    boolean sameCheck(HealthTarget other) {
        return address.equals(other.address) && kind == other.kind && failureThreshold == other.failureThreshold
                && period.equals(other.period) && port == other.port && path.equals(other.path) && netns == other.netns;
    }

    /** Labels are compared by content: the record's own equals would compare the array's identity. */
    @Override
    public boolean equals(Object o) {
        return o instanceof HealthTarget t && key.equals(t.key) && Arrays.equals(labels, t.labels) && sameCheck(t);
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, Arrays.hashCode(labels), address, kind, failureThreshold, period, port, path, netns);
    }

    @Override
    public String toString() {
        return key + " (" + kind + " " + Addresses.literal(address) + (kind == CheckKind.CURL ? " port " + port + " " + path : "")
                + " every " + period + ")";
    }
}
