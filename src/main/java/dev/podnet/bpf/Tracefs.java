package dev.podnet.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.VarHandle;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.logging.Logger;

/**
 * Classic tracepoints need tracefs: libbpf reads the tracepoint's id from
 * {@code <tracefs>/events/<category>/<name>/id} for perf_event_open. Many hosts do not mount it, so it is
 * mounted at /sys/kernel/tracing when neither that nor the debugfs location (which libbpf prefers when
 * present) has it. Mounting needs root in the host's mount namespace; otherwise the reason is reported.
 * The mount is left in place: other tools on the host may start using it at any time.
 *
 * <p>podnet's own probes use raw tracepoints, which need none of this.
 */
public final class Tracefs {
    private static final Logger LOG = Logger.getLogger(Tracefs.class.getName());
    static final Path TRACING = Path.of("/sys/kernel/tracing");
    private static final Path DEBUGFS_TRACING = Path.of("/sys/kernel/debug/tracing");

    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final MethodHandle MOUNT = Linker.nativeLinker().downcallHandle(
            Linker.nativeLinker().defaultLookup().find("mount").orElseThrow(),
            FunctionDescriptor.of(Libbpf.INT, Libbpf.POINTER, Libbpf.POINTER, Libbpf.POINTER, Libbpf.LONG, Libbpf.POINTER),
            Linker.Option.captureCallState("errno"));

    private Tracefs() {
    }

    /** The tracefs directory libbpf will use, mounting tracefs first if needed. */
    public static synchronized Path ensureMounted() throws BpfException {
        if (Files.isDirectory(DEBUGFS_TRACING.resolve("events"))) {
            return DEBUGFS_TRACING;
        }
        if (Files.isDirectory(TRACING.resolve("events"))) {
            return TRACING;
        }
        if (!Files.isDirectory(TRACING)) {
            throw new BpfException("tracefs: " + TRACING + " does not exist (kernel without CONFIG_TRACING?)");
        }
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = call.allocate(CALL_STATE);
            int rc = (int) MOUNT.invokeExact(state, call.allocateFrom("nodev"), call.allocateFrom(TRACING.toString()),
                    call.allocateFrom("tracefs"), 0L, MemorySegment.NULL);
            if (rc != 0) {
                int errno = (int) ERRNO.get(state, 0L);
                throw new BpfException("tracefs: mount at " + TRACING + " (classic tracepoints need it)", errno, "");
            }
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("mount downcall failed", t);
        }
        LOG.info("mounted tracefs at " + TRACING + " for classic tracepoints");
        return TRACING;
    }
}
