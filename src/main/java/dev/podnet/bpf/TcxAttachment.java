package dev.podnet.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.logging.Logger;

/**
 * A tc program on a device through a tcx link (Linux 6.6+): {@code BPF_LINK_CREATE} with attach type
 * {@code BPF_TCX_INGRESS} / {@code BPF_TCX_EGRESS}, made through libbpf's {@code bpf_link_create} (libbpf
 * 1.1 knows no tcx, but passes unknown attach types to the kernel as they are).
 *
 * <p>Why tcx first: the link is the attachment, so closing its descriptor detaches the program, from
 * any thread and namespace, and nothing is left on the device (no clsact qdisc, no filter). A device
 * that goes away detaches the link by itself, and the link holds no reference on the namespace. The
 * program goes first on the hook, so it sees every packet before a CNI's program there redirects or
 * drops it, and the CNI's programs keep running as long as this one passes the packet on.
 *
 * <p>The ifindex is resolved in the calling thread's network namespace: attach from inside it.
 */
final class TcxAttachment implements BpfAttachment {
    private static final Logger LOG = Logger.getLogger(TcxAttachment.class.getName());
    private static final MethodHandle LINK_CREATE = Libbpf.function("bpf_link_create",
            FunctionDescriptor.of(Libbpf.INT, Libbpf.INT, Libbpf.INT, Libbpf.INT, Libbpf.POINTER));
    private static final MethodHandle CLOSE = Libbpf.libc("close", FunctionDescriptor.of(ValueLayout.JAVA_INT,
            ValueLayout.JAVA_INT));
    private static final int BPF_TCX_INGRESS = 46;
    private static final int BPF_TCX_EGRESS = 47;
    /** With no relative program given: first on the hook. */
    private static final int BPF_F_BEFORE = 1 << 3;
    /** struct bpf_link_create_opts up to flags: size_t sz; __u32 flags; padded to 8. */
    private static final long OPTS_BYTES = 16;

    private final BpfObject owner;
    private final String target;
    private int linkFd;

    private TcxAttachment(BpfObject owner, String target, int linkFd) {
        this.owner = owner;
        this.target = target;
        this.linkFd = linkFd;
    }

    static TcxAttachment attach(BpfObject owner, String program, int programFd, int ifindex,
                                TcAttachment.Direction direction) throws BpfException {
        String target = "tcx " + direction.name().toLowerCase(java.util.Locale.ROOT) + " of ifindex " + ifindex;
        int type = direction == TcAttachment.Direction.INGRESS ? BPF_TCX_INGRESS : BPF_TCX_EGRESS;
        try (Arena call = Arena.ofConfined()) {
            MemorySegment opts = call.allocate(OPTS_BYTES, 8);
            opts.set(Libbpf.LONG, 0, OPTS_BYTES);
            opts.set(Libbpf.INT, 8, BPF_F_BEFORE);
            int fd = (int) LINK_CREATE.invokeExact(Libbpf.newCallState(call), programFd, ifindex, type, opts);
            if (fd < 0) {
                throw new BpfException(program + ": attach to " + target, fd, "");
            }
            return new TcxAttachment(owner, target, fd);
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw Libbpf.callFailed("bpf_link_create", t);
        }
    }

    @Override
    public String target() {
        return target;
    }

    @Override
    public synchronized void close() {
        if (linkFd < 0) {
            return;
        }
        try {
            if ((int) CLOSE.invokeExact(linkFd) < 0) {
                LOG.warning("detaching from " + target + ": close of the link failed");
            }
        } catch (Throwable t) {
            LOG.warning("detaching from " + target + ": " + t);
        } finally {
            linkFd = -1;
            owner.forget(this);
        }
    }
}
