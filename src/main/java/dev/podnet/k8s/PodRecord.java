package dev.podnet.k8s;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodIP;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import java.net.InetAddress;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What attribution needs of a pod, copied out of the informer's cache so that the rest of podnet never
 * holds fabric8's mutable model objects.
 *
 * @param ips         {@code status.podIPs} (IPv4 and IPv6), primary first
 * @param finished    phase Succeeded or Failed: the sandbox is gone, and its IPs may already belong to
 *                    another pod, so a finished pod is listed but never attributed
 * @param created     {@code metadata.creationTimestamp}; the newer pod wins when two claim one namespace
 */
public record PodRecord(String namespace, String name, String uid, String node, boolean hostNetwork,
                        List<InetAddress> ips, Map<String, String> labels, boolean finished, Instant created) {

    public PodRecord {
        ips = List.copyOf(ips);
        labels = Map.copyOf(labels);
    }

    public static PodRecord from(Pod pod) {
        var meta = pod.getMetadata();
        PodSpec spec = pod.getSpec();
        PodStatus status = pod.getStatus();
        String phase = status == null ? null : status.getPhase();
        return new PodRecord(nonNull(meta.getNamespace()), nonNull(meta.getName()), nonNull(meta.getUid()),
                spec == null ? "" : nonNull(spec.getNodeName()),
                spec != null && Boolean.TRUE.equals(spec.getHostNetwork()),
                ips(status), meta.getLabels() == null ? Map.of() : meta.getLabels(),
                "Succeeded".equals(phase) || "Failed".equals(phase), created(meta.getCreationTimestamp()));
    }

    /** Whether this pod can own a network namespace of its own right now. */
    public boolean attributable() {
        return !hostNetwork && !finished && !ips.isEmpty();
    }

    private static List<InetAddress> ips(PodStatus status) {
        List<InetAddress> ips = new ArrayList<>();
        if (status == null) {
            return ips;
        }
        List<String> texts = new ArrayList<>();
        if (status.getPodIPs() != null) {
            for (PodIP ip : status.getPodIPs()) {
                texts.add(ip.getIp());
            }
        }
        if (texts.isEmpty() && status.getPodIP() != null) {
            texts.add(status.getPodIP()); // API servers before 1.16 set only the single podIP
        }
        for (String text : texts) {
            InetAddress ip = literal(text);
            if (ip != null && !ips.contains(ip)) {
                ips.add(ip);
            }
        }
        return ips;
    }

    /** An IP literal without any name lookup; null for anything else. */
    static InetAddress literal(String text) {
        if (text == null || text.isBlank()) {
            return null;
        }
        try {
            return InetAddress.ofLiteral(text.strip());
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    private static Instant created(String timestamp) {
        if (timestamp == null) {
            return Instant.EPOCH;
        }
        try {
            return Instant.parse(timestamp);
        } catch (DateTimeParseException e) {
            return Instant.EPOCH;
        }
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }
}
