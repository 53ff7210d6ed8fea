package dev.podnet.probe.bpf;

import dev.podnet.bpf.BpfException;
import dev.podnet.bpf.BpfObject;
import dev.podnet.probe.ProbeUnavailableException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Loads a probe's BPF object from the jar and attaches its programs to raw tracepoints, for BPF probes
 * whose maps are not namespace aggregates (per-CPU arrays, for instance). It follows the same rules as
 * {@link KernelAggregateProbe}: the same settings ({@code tracepoint}, {@code tracepoints}), and every
 * failure (no BTF, no permission, unknown tracepoint, verifier refusal) makes the probe unavailable
 * with the reason, never anything else.
 */
final class RawTracepointObject {
    private static final Path VMLINUX_BTF = Path.of("/sys/kernel/btf/vmlinux");
    private static final int EPERM = 1;

    private RawTracepointObject() {
    }

    /** The loaded object with all hooks attached; the caller closes it. */
    static BpfObject load(String probe, String objectFile, List<TracepointHooks.Hook> defaults,
                          Map<String, Object> settings) throws ProbeUnavailableException {
        TracepointHooks.check(probe, defaults, settings);
        List<TracepointHooks.Hook> hooks = TracepointHooks.resolve(probe, defaults, settings);
        if (!Files.exists(VMLINUX_BTF)) {
            throw new ProbeUnavailableException("kernel BTF missing (" + VMLINUX_BTF
                    + "): the kernel needs CONFIG_DEBUG_INFO_BTF for CO-RE programs");
        }
        BpfObject loaded = null;
        boolean started = false;
        try {
            loaded = BpfObject.openResource("bpf/" + objectFile);
            loaded.load();
            for (TracepointHooks.Hook hook : hooks) {
                loaded.program(hook.program()).attachRawTracepoint(hook.rawName());
            }
            started = true;
            return loaded;
        } catch (BpfException e) {
            String hint = e.errno() == EPERM ? " (needs root, or CAP_BPF with CAP_PERFMON)" : "";
            throw new ProbeUnavailableException(e.getMessage() + hint, e);
        } catch (LinkageError e) {
            throw new ProbeUnavailableException("libbpf unusable: " + e.getMessage(), e);
        } finally {
            if (loaded != null && !started) {
                loaded.close(); // on any failure: detaches whatever was attached before it
            }
        }
    }
}
