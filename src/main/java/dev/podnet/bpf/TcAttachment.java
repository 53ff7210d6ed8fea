package dev.podnet.bpf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * A tc (cls_bpf, direct-action) filter holding a program, attached through libbpf's netlink tc API
 * (libbpf 1.1 has no tcx links). The clsact qdisc is created when the device has none, and then removed
 * again on close.
 *
 * <p>Netlink talks to the namespace of the calling thread, and an ifindex means something only inside
 * one namespace: close this in the namespace it was attached in. Closed elsewhere, it refuses to touch
 * the wrong device, logs, and leaves the filter to go away with its device.
 */
public final class TcAttachment implements BpfAttachment {
    private static final Logger LOG = Logger.getLogger(TcAttachment.class.getName());
    private static final MethodHandle HOOK_CREATE = Libbpf.function("bpf_tc_hook_create",
            FunctionDescriptor.of(Libbpf.INT, Libbpf.POINTER));
    private static final MethodHandle HOOK_DESTROY = Libbpf.function("bpf_tc_hook_destroy",
            FunctionDescriptor.of(Libbpf.INT, Libbpf.POINTER));
    private static final MethodHandle ATTACH = Libbpf.function("bpf_tc_attach",
            FunctionDescriptor.of(Libbpf.INT, Libbpf.POINTER, Libbpf.POINTER));
    private static final MethodHandle DETACH = Libbpf.function("bpf_tc_detach",
            FunctionDescriptor.of(Libbpf.INT, Libbpf.POINTER, Libbpf.POINTER));
    /** struct bpf_tc_hook { size_t sz; int ifindex; enum attach_point; __u32 parent; } padded to 8. */
    private static final long HOOK_BYTES = 24;
    /** struct bpf_tc_opts { size_t sz; int prog_fd; __u32 flags, prog_id, handle, priority; } padded to 8. */
    private static final long OPTS_BYTES = 32;
    private static final int BPF_TC_INGRESS = 1;
    private static final int BPF_TC_EGRESS = 2;

    /** Which way the packets go through the filter. */
    public enum Direction { INGRESS, EGRESS }

    private final BpfObject owner;
    private final String target;
    private final int ifindex;
    private final Direction direction;
    private final int handle;
    private final int priority;
    private final boolean createdQdisc;
    private final long netns;
    private boolean closed;

    private TcAttachment(BpfObject owner, String target, int ifindex, Direction direction, int handle, int priority,
                         boolean createdQdisc, long netns) {
        this.owner = owner;
        this.target = target;
        this.ifindex = ifindex;
        this.direction = direction;
        this.handle = handle;
        this.priority = priority;
        this.createdQdisc = createdQdisc;
        this.netns = netns;
    }

    static TcAttachment attach(BpfObject owner, String program, int programFd, int ifindex, Direction direction)
            throws BpfException {
        String target = "tc " + direction.name().toLowerCase(java.util.Locale.ROOT) + " of ifindex " + ifindex;
        long netns = currentNetns();
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = Libbpf.newCallState(call);
            MemorySegment hook = hook(call, ifindex, attachPoint(direction));
            MemorySegment opts = call.allocate(OPTS_BYTES, 8);
            opts.set(Libbpf.LONG, 0, OPTS_BYTES);
            opts.set(Libbpf.INT, 8, programFd);
            return LibbpfLog.capture(() -> {
                try {
                    int created = (int) HOOK_CREATE.invokeExact(state, hook);
                    if (created < 0 && -created != Errno.EEXIST) {
                        throw new BpfException(program + ": create clsact qdisc for " + target, created,
                                LibbpfLog.capturedSoFar());
                    }
                    int rc = (int) ATTACH.invokeExact(state, hook, opts);
                    if (rc < 0) {
                        if (created == 0) {
                            int ignored = (int) HOOK_DESTROY.invokeExact(state, hook(call, ifindex, BPF_TC_INGRESS | BPF_TC_EGRESS));
                        }
                        throw new BpfException(program + ": attach to " + target, rc, LibbpfLog.capturedSoFar());
                    }
                    return new TcAttachment(owner, target, ifindex, direction, opts.get(Libbpf.INT, 20),
                            opts.get(Libbpf.INT, 24), created == 0, netns);
                } catch (BpfException e) {
                    throw e;
                } catch (Throwable t) {
                    throw Libbpf.callFailed("bpf_tc_attach", t);
                }
            }).value();
        }
    }

    @Override
    public String target() {
        return target;
    }

    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        owner.forget(this);
        if (currentNetns() != netns) {
            LOG.warning(target + ": not detached, closed outside the network namespace it was attached in");
            return;
        }
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = Libbpf.newCallState(call);
            MemorySegment opts = call.allocate(OPTS_BYTES, 8);
            opts.set(Libbpf.LONG, 0, OPTS_BYTES);
            opts.set(Libbpf.INT, 20, handle);
            opts.set(Libbpf.INT, 24, priority);
            int rc = (int) DETACH.invokeExact(state, hook(call, ifindex, attachPoint(direction)), opts);
            if (rc < 0 && -rc != Errno.ENOENT) { // ENOENT: the device is gone, and the filter with it
                LOG.warning("detaching " + target + ": " + Errno.describe(-rc));
            }
            if (createdQdisc) {
                int ignored = (int) HOOK_DESTROY.invokeExact(state, hook(call, ifindex, BPF_TC_INGRESS | BPF_TC_EGRESS));
            }
        } catch (Throwable t) {
            LOG.warning("detaching " + target + ": " + t);
        }
    }

    private static MemorySegment hook(Arena arena, int ifindex, int attachPoint) {
        MemorySegment hook = arena.allocate(HOOK_BYTES, 8);
        hook.set(Libbpf.LONG, 0, HOOK_BYTES);
        hook.set(Libbpf.INT, 8, ifindex);
        hook.set(Libbpf.INT, 12, attachPoint);
        return hook;
    }

    private static int attachPoint(Direction direction) {
        return direction == Direction.INGRESS ? BPF_TC_INGRESS : BPF_TC_EGRESS;
    }

    /** Inode of the calling thread's network namespace, or -1 if it cannot be told. */
    private static long currentNetns() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/thread-self/ns/net"), "unix:ino")).longValue();
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
