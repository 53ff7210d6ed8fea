package dev.podnet.k8s;

import java.net.InetAddress;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds each pod's network namespace by its IPs. This needs nothing from the container runtime (no CRI
 * socket, no cgroup path), so it works the same with containerd, CRI-O and cri-dockerd on cgroup v1 or
 * v2: the CNI plugin put the pod's IPs on an interface inside the pod's namespace, and the API server
 * reports those IPs in {@code status.podIPs}.
 */
public final class PodMatcher {
    /** The newest pod wins a namespace two pods claim: an older one is a stale object whose IP was reused. */
    private static final Comparator<PodRecord> NEWEST_FIRST =
            Comparator.comparing(PodRecord::created).reversed().thenComparing(PodRecord::namespace).thenComparing(PodRecord::name);

    private PodMatcher() {
    }

    /**
     * @return pod uid -> namespace inode, for the pods that own a namespace. hostNetwork pods share the
     *         host's namespace and finished pods have none, so neither is ever matched.
     */
    public static Map<String, Long> match(List<PodRecord> pods, AddressIndex addresses) {
        Map<Long, PodRecord> claims = new HashMap<>();
        for (PodRecord pod : pods) {
            if (!pod.attributable()) {
                continue;
            }
            long inode = namespaceOf(pod, addresses);
            if (inode > 0) {
                claims.merge(inode, pod, (a, b) -> NEWEST_FIRST.compare(a, b) <= 0 ? a : b);
            }
        }
        Map<String, Long> result = new HashMap<>();
        claims.forEach((inode, pod) -> result.put(pod.uid(), inode));
        return result;
    }

    /** The first of the pod's IPs (primary first) that exactly one namespace holds; -1 when none does. */
    private static long namespaceOf(PodRecord pod, AddressIndex addresses) {
        for (InetAddress ip : pod.ips()) {
            long inode = addresses.owner(ip);
            if (inode > 0) {
                return inode;
            }
        }
        return -1;
    }
}
