package dev.podnet.probe.bpf;

import java.util.HashMap;
import java.util.Map;

/**
 * Names of the kernel's packet drop reasons, as the running kernel defines them (enum skb_drop_reason
 * in its BTF; the list grows with every release), without the SKB_DROP_REASON_ prefix: NETFILTER_DROP,
 * NO_SOCKET, ... A value outside the enum is a subsystem's reason (the subsystem in the upper 16 bits,
 * enum skb_drop_reason_subsys), named SUBSYSTEM_code, or UNKNOWN_value.
 */
final class DropReasons {
    static final String ENUM = "skb_drop_reason";
    static final String SUBSYSTEM_ENUM = "skb_drop_reason_subsys";
    private static final String PREFIX = "SKB_DROP_REASON_";
    private static final String SUBSYSTEM_PREFIX = "SKB_DROP_REASON_SUBSYS_";
    private static final int SUBSYSTEM_SHIFT = 16;

    private final Map<Long, String> reasons = new HashMap<>();
    private final Map<Long, String> subsystems = new HashMap<>();

    DropReasons(Map<Long, String> reasonEnum, Map<Long, String> subsystemEnum) {
        reasonEnum.forEach((value, name) -> reasons.put(value, strip(name, PREFIX)));
        subsystemEnum.forEach((value, name) -> subsystems.put(value, strip(name, SUBSYSTEM_PREFIX)));
    }

    String name(long reason) {
        String known = reasons.get(reason);
        if (known != null) {
            return known;
        }
        long subsystem = reason >>> SUBSYSTEM_SHIFT;
        String subsystemName = subsystems.get(subsystem);
        if (subsystem != 0 && subsystemName != null) {
            return subsystemName + "_" + (reason & 0xffff);
        }
        return "UNKNOWN_" + reason;
    }

    int size() {
        return reasons.size();
    }

    /** The core enum's reasons, value to name (CONSUMED and NOT_DROPPED_YET included). */
    Map<Long, String> reasons() {
        return java.util.Collections.unmodifiableMap(reasons);
    }

    /** The subsystems whose reasons carry their number in the upper 16 bits, value to name. */
    Map<Long, String> subsystems() {
        return java.util.Collections.unmodifiableMap(subsystems);
    }

    /** SKB_DROP_REASON_NETFILTER_DROP -> NETFILTER_DROP; SKB_CONSUMED -> CONSUMED. */
    private static String strip(String name, String prefix) {
        if (name.startsWith(prefix)) {
            return name.substring(prefix.length());
        }
        return name.startsWith("SKB_") ? name.substring(4) : name;
    }
}
