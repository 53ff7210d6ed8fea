package dev.podnet.probe.bpf;

import dev.podnet.bpf.BpfAttachment;
import dev.podnet.bpf.BpfException;
import dev.podnet.bpf.BpfObject;
import dev.podnet.bpf.BpfProgram;
import dev.podnet.probe.ProbeUnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Loads a probe's BPF object from the jar and attaches its programs to raw tracepoints, for BPF probes
 * whose maps are not namespace aggregates (per-CPU arrays, for instance). It follows the same rules as
 * {@link KernelAggregateProbe}: the same settings ({@code tracepoint}, {@code tracepoints}), and every
 * failure (no BTF, no permission, unknown tracepoint, verifier refusal) makes the probe unavailable
 * with the reason, never anything else. {@link #openAndAttach} is the loading step both share.
 */
final class RawTracepointObject {
    private static final Path VMLINUX_BTF = Path.of("/sys/kernel/btf/vmlinux");
    private static final int EPERM = 1;

    private RawTracepointObject() {
    }

    /** The loaded object with all hooks attached; the caller closes it. */
    static BpfObject load(String probe, String objectFile, List<TracepointHooks.Hook> defaults,
                          Map<String, Object> settings) throws ProbeUnavailableException {
        return load(probe, objectFile, defaults, settings, Set.of(), opened -> { }, null, object -> { }).object();
    }

    /**
     * As {@link #load(String, String, List, Map)} for a probe with settings of its own ({@code ownKeys},
     * checked by the caller), applied by {@code beforeLoad}, and attached in windows when {@code window}
     * is not null (see {@link AttachedObject#start}).
     */
    static AttachedObject load(String probe, String objectFile, List<TracepointHooks.Hook> defaults,
                               Map<String, Object> settings, Set<String> ownKeys, BeforeLoad beforeLoad,
                               AttachWindow window, WindowedHooks.StateReset resetState)
            throws ProbeUnavailableException {
        TracepointHooks.check(probe, defaults, settings, ownKeys);
        List<TracepointHooks.Hook> hooks = TracepointHooks.resolve(probe, defaults, settings);
        requireBtf();
        try {
            return AttachedObject.start(probe, objectFile, hooks, beforeLoad, window, resetState);
        } catch (BpfException e) {
            throw unavailable(e);
        } catch (LinkageError e) {
            throw new ProbeUnavailableException("libbpf unusable: " + e.getMessage(), e);
        }
    }

    /** CO-RE programs need the running kernel's BTF. */
    static void requireBtf() throws ProbeUnavailableException {
        if (!Files.exists(VMLINUX_BTF)) {
            throw new ProbeUnavailableException("kernel BTF missing (" + VMLINUX_BTF
                    + "): the kernel needs CONFIG_DEBUG_INFO_BTF for CO-RE programs");
        }
    }

    /** Why a probe cannot start, from what libbpf or the kernel said. */
    static ProbeUnavailableException unavailable(BpfException e) {
        String hint = e.errno() == EPERM ? " (needs root, or CAP_BPF with CAP_PERFMON)" : "";
        return new ProbeUnavailableException(e.getMessage() + hint, e);
    }

    /**
     * Opens the object, loads it and attaches every hook; on any failure closes it again (detaching
     * whatever was attached before). Programs in {@code tp_btf/} sections (BTF-typed tracepoints, which
     * read their arguments with plain loads rather than one probe-read call per field) get their
     * tracepoint before loading, since the verifier checks them against its argument types; the others
     * are plain raw tracepoint programs, attached by name after loading.
     */
    static BpfObject openAndAttach(String objectFile, List<TracepointHooks.Hook> hooks) throws BpfException {
        return openAndAttach(objectFile, hooks, opened -> { });
    }

    /** What a probe sets on its opened object before it is loaded (constants, map sizes). */
    @FunctionalInterface
    interface BeforeLoad {
        void apply(BpfObject opened) throws BpfException;
    }

    /** As {@link #openAndAttach(String, List)}, with {@code beforeLoad} applied between opening and loading. */
    static BpfObject openAndAttach(String objectFile, List<TracepointHooks.Hook> hooks, BeforeLoad beforeLoad)
            throws BpfException {
        BpfObject loaded = openAndLoad(objectFile, hooks, beforeLoad);
        boolean started = false;
        try {
            for (TracepointHooks.Hook hook : hooks) {
                attach(loaded, hook);
            }
            started = true;
            return loaded;
        } finally {
            if (!started) {
                loaded.close();
            }
        }
    }

    /** Opens and loads the object for {@code hooks} without attaching anything; closes it on failure. */
    static BpfObject openAndLoad(String objectFile, List<TracepointHooks.Hook> hooks, BeforeLoad beforeLoad)
            throws BpfException {
        BpfObject loaded = BpfObject.openResource("bpf/" + objectFile);
        boolean started = false;
        try {
            beforeLoad.apply(loaded);
            for (TracepointHooks.Hook hook : hooks) {
                BpfProgram program = loaded.program(hook.program());
                if (program.isBtfTracepoint()) {
                    program.setBtfTracepoint(hook.rawName());
                }
            }
            loaded.load();
            started = true;
            return loaded;
        } finally {
            if (!started) {
                loaded.close();
            }
        }
    }

    /** Attaches one hook's program of a loaded object; the object keeps the attachment until it is closed. */
    static BpfAttachment attach(BpfObject loaded, TracepointHooks.Hook hook) throws BpfException {
        BpfProgram program = loaded.program(hook.program());
        return program.isBtfTracepoint() ? program.attachBtfTracepoint(hook.rawName())
                : program.attachRawTracepoint(hook.rawName());
    }
}
