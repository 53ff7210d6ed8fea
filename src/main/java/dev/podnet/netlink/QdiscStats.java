package dev.podnet.netlink;

/**
 * One queueing discipline and its counters, as in an RTM_NEWQDISC answer.
 *
 * @param ifindex    the device it is attached to
 * @param kind       TCA_KIND, e.g. fq_codel, tbf, noqueue
 * @param handle     tcm_handle (major:minor in the upper and lower 16 bits)
 * @param parent     tcm_parent: TC_H_ROOT, TC_H_INGRESS or a class
 * @param requeues   -1 when the kernel reported only the old TCA_STATS, which has no requeue counter
 */
public record QdiscStats(int ifindex, String kind, int handle, int parent, long bytes, long packets, long drops,
                         long requeues, long overlimits, long qlen, long backlogBytes) {
    static final int TC_H_ROOT = 0xffffffff;
    static final int TC_H_UNSPEC = 0;

    /** The handle as tc prints a qdisc's: major in hex and a colon, e.g. {@code 8001:}. */
    public String handleLabel() {
        return Integer.toHexString(handle >>> 16) + ":";
    }

    /** The parent as tc prints it: {@code root}, or a class id such as {@code 1:1} or {@code ffff:fff1}. */
    public String parentLabel() {
        return classId(parent);
    }

    static String classId(int h) {
        if (h == TC_H_ROOT) {
            return "root";
        }
        if (h == TC_H_UNSPEC) {
            return "none";
        }
        int major = h >>> 16;
        int minor = h & 0xffff;
        if (major == 0) {
            return ":" + Integer.toHexString(minor);
        }
        if (minor == 0) {
            return Integer.toHexString(major) + ":";
        }
        return Integer.toHexString(major) + ":" + Integer.toHexString(minor);
    }
}
