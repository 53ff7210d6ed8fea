package dev.podnet.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;

/** One program of a loaded {@link BpfObject}, and the ways to attach it. */
public final class BpfProgram {
    private static final MethodHandle FD = Libbpf.function("bpf_program__fd",
            FunctionDescriptor.of(Libbpf.INT, Libbpf.POINTER));
    private static final MethodHandle ATTACH_RAW_TRACEPOINT = Libbpf.function("bpf_program__attach_raw_tracepoint",
            FunctionDescriptor.of(Libbpf.POINTER, Libbpf.POINTER, Libbpf.POINTER));
    private static final MethodHandle ATTACH_TRACEPOINT = Libbpf.function("bpf_program__attach_tracepoint",
            FunctionDescriptor.of(Libbpf.POINTER, Libbpf.POINTER, Libbpf.POINTER, Libbpf.POINTER));
    private static final MethodHandle ATTACH_TRACE = Libbpf.function("bpf_program__attach_trace",
            FunctionDescriptor.of(Libbpf.POINTER, Libbpf.POINTER));
    private static final MethodHandle SECTION_NAME = Libbpf.function("bpf_program__section_name",
            FunctionDescriptor.of(Libbpf.POINTER, Libbpf.POINTER));
    private static final MethodHandle SET_ATTACH_TARGET = Libbpf.function("bpf_program__set_attach_target",
            FunctionDescriptor.of(Libbpf.INT, Libbpf.POINTER, Libbpf.INT, Libbpf.POINTER));
    private static final String BTF_TRACEPOINT_SECTION = "tp_btf/";

    private final BpfObject object;
    private final String name;
    private final MemorySegment handle;

    BpfProgram(BpfObject object, String name, MemorySegment handle) {
        this.object = object;
        this.name = name;
        this.handle = handle;
    }

    public String name() {
        return name;
    }

    /** The program's file descriptor; the object must be loaded. */
    public int fd() throws BpfException {
        return object.guarded(() -> {
            try (Arena call = Arena.ofConfined()) {
                int fd = (int) FD.invokeExact(Libbpf.newCallState(call), handle);
                if (fd < 0) {
                    throw new BpfException(describe() + ": no file descriptor (object not loaded?)", fd, "");
                }
                return fd;
            } catch (BpfException e) {
                throw e;
            } catch (Throwable t) {
                throw Libbpf.callFailed("bpf_program__fd", t);
            }
        });
    }

    /**
     * Attaches to a raw tracepoint by its name ({@code kfree_skb}, no category). Raw tracepoints need
     * no tracefs and hand the program the tracepoint's own arguments (TP_PROTO). An unknown name fails
     * with ENOENT.
     */
    public BpfAttachment attachRawTracepoint(String tracepoint) throws BpfException {
        String target = "raw tracepoint " + tracepoint;
        return attach(target, (call, state) ->
                (MemorySegment) ATTACH_RAW_TRACEPOINT.invokeExact(state, handle, call.allocateFrom(tracepoint)));
    }

    /**
     * Whether this is a BTF-typed tracepoint program ({@code SEC("tp_btf/<name>")}): it reads its
     * arguments as typed kernel pointers, so the tracepoint is fixed when the object is loaded
     * ({@link #setBtfTracepoint}) and attached with {@link #attachBtfTracepoint}.
     */
    public boolean isBtfTracepoint() throws BpfException {
        return object.guarded(() -> {
            try (Arena call = Arena.ofConfined()) {
                MemorySegment section = (MemorySegment) SECTION_NAME.invokeExact(Libbpf.newCallState(call), handle);
                return !section.equals(MemorySegment.NULL)
                        && section.reinterpret(Long.MAX_VALUE).getString(0).startsWith(BTF_TRACEPOINT_SECTION);
            } catch (Throwable t) {
                throw Libbpf.callFailed("bpf_program__section_name", t);
            }
        });
    }

    /**
     * Points a BTF-typed tracepoint program at another tracepoint (by name, no category) than its
     * section names; only before the object is loaded, since the verifier checks the program against
     * that tracepoint's argument types. A tracepoint the kernel's BTF does not know fails here.
     */
    public void setBtfTracepoint(String tracepoint) throws BpfException {
        object.guarded(() -> {
            if (object.isLoaded()) {
                throw new BpfException(describe() + ": the tracepoint of a loaded program cannot change");
            }
            try (Arena call = Arena.ofConfined()) {
                MemorySegment state = Libbpf.newCallState(call);
                LibbpfLog.Captured<Integer> result = LibbpfLog.capture(() -> {
                    try {
                        return (int) SET_ATTACH_TARGET.invokeExact(state, handle, 0, call.allocateFrom(tracepoint));
                    } catch (Throwable t) {
                        throw Libbpf.callFailed("bpf_program__set_attach_target", t);
                    }
                });
                if (result.value() < 0) {
                    // libbpf's ESRCH ("No such process") would only confuse: say what it means
                    throw new BpfException(describe() + ": BTF tracepoint " + tracepoint
                            + ": the kernel has no tracepoint of that name (none in its BTF)");
                }
                return null;
            }
        });
    }

    /**
     * Attaches a BTF-typed tracepoint program to the tracepoint it was loaded for; {@code tracepoint}
     * (that one's name) is only for messages.
     */
    public BpfAttachment attachBtfTracepoint(String tracepoint) throws BpfException {
        return attach("BTF tracepoint " + tracepoint,
                (call, state) -> (MemorySegment) ATTACH_TRACE.invokeExact(state, handle));
    }

    /**
     * Attaches to a classic tracepoint ({@code category/name}), through perf_event_open with the id
     * tracefs gives; tracefs is mounted first if it is not (see {@link Tracefs}).
     */
    public BpfAttachment attachTracepoint(String category, String tracepoint) throws BpfException {
        String target = "tracepoint " + category + "/" + tracepoint;
        Tracefs.ensureMounted();
        return attach(target, (call, state) -> (MemorySegment) ATTACH_TRACEPOINT.invokeExact(state, handle,
                call.allocateFrom(category), call.allocateFrom(tracepoint)));
    }

    /**
     * Attaches a {@code tc} (sched_cls, direct-action) program to a device of the calling thread's
     * network namespace; see {@link TcAttachment}.
     */
    public BpfAttachment attachTc(int ifindex, TcAttachment.Direction direction) throws BpfException {
        int fd = fd();
        return object.guarded(() -> {
            TcAttachment attachment = TcAttachment.attach(object, describe(), fd, ifindex, direction);
            object.adopt(attachment);
            return attachment;
        });
    }

    /**
     * Attaches a {@code tc} program to a device of the calling thread's network namespace through a tcx
     * link (Linux 6.6+); see {@link TcxAttachment}. Older kernels refuse the attach type (EINVAL): use
     * {@link #attachTc} there.
     */
    public BpfAttachment attachTcx(int ifindex, TcAttachment.Direction direction) throws BpfException {
        int fd = fd();
        return object.guarded(() -> {
            TcxAttachment attachment = TcxAttachment.attach(object, describe(), fd, ifindex, direction);
            object.adopt(attachment);
            return attachment;
        });
    }

    @FunctionalInterface
    private interface AttachCall {
        MemorySegment invoke(Arena call, MemorySegment state) throws Throwable;
    }

    private BpfAttachment attach(String target, AttachCall attachCall) throws BpfException {
        return object.guarded(() -> {
            if (!object.isLoaded()) {
                throw new BpfException(describe() + ": attach to " + target + ": the object is not loaded");
            }
            try (Arena call = Arena.ofConfined()) {
                MemorySegment state = Libbpf.newCallState(call);
                MemorySegment link = LibbpfLog.capture(() -> {
                    MemorySegment result;
                    try {
                        result = attachCall.invoke(call, state);
                    } catch (Throwable t) {
                        throw Libbpf.callFailed("attach " + target, t);
                    }
                    if (result.equals(MemorySegment.NULL)) {
                        throw new BpfException(describe() + ": attach to " + target, Libbpf.errno(state),
                                LibbpfLog.capturedSoFar());
                    }
                    return result;
                }).value();
                BpfLink attachment = new BpfLink(object, target, link);
                object.adopt(attachment);
                return attachment;
            }
        });
    }

    String describe() {
        return "program " + name + " of " + object.name();
    }

    @Override
    public String toString() {
        return describe();
    }
}
