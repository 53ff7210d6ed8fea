package dev.podnet.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.logging.Logger;

/** A libbpf {@code struct bpf_link} (tracepoints, raw tracepoints): destroying it detaches the program. */
final class BpfLink implements BpfAttachment {
    private static final Logger LOG = Logger.getLogger(BpfLink.class.getName());
    private static final MethodHandle DESTROY = Libbpf.function("bpf_link__destroy",
            FunctionDescriptor.of(Libbpf.INT, Libbpf.POINTER));

    private final BpfObject owner;
    private final String target;
    private MemorySegment link;

    BpfLink(BpfObject owner, String target, MemorySegment link) {
        this.owner = owner;
        this.target = target;
        this.link = link;
    }

    @Override
    public String target() {
        return target;
    }

    @Override
    public synchronized void close() {
        if (link == null) {
            return;
        }
        try (Arena call = Arena.ofConfined()) {
            int rc = (int) DESTROY.invokeExact(Libbpf.newCallState(call), link);
            if (rc < 0) {
                LOG.warning("detaching from " + target + ": " + Errno.describe(-rc));
            }
        } catch (Throwable t) {
            LOG.warning("detaching from " + target + ": " + t);
        } finally {
            link = null;
            owner.forget(this);
        }
    }
}
