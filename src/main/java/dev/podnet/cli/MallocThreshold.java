package dev.podnet.cli;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.Optional;

/**
 * Pins glibc's mmap threshold, so that large native blocks are always their own mappings and go back to
 * the kernel when freed. libbpf parses the kernel's BTF (megabytes, in large blocks) for every BPF probe it
 * loads and frees it right after. glibc raises its threshold to the size of the first large block freed,
 * so the later ones come from its heaps instead, where they fragment and stay: 12 MiB of RSS with the
 * seven BPF probes, which neither malloc_trim nor fewer arenas gave back (BENCHMARKS.md). Pinning it is
 * what {@code MALLOC_MMAP_THRESHOLD_=131072} does, done here so the container needs no environment.
 */
final class MallocThreshold {
    /** glibc's M_MMAP_THRESHOLD parameter of mallopt(3). */
    private static final int M_MMAP_THRESHOLD = -3;
    /** glibc's initial threshold: blocks from 128 KiB up are mapped. */
    static final int BYTES = 128 * 1024;

    private MallocThreshold() {
    }

    /**
     * Pins the threshold at {@link #BYTES}.
     *
     * @return false where the C library has no mallopt or refuses the setting (not glibc: nothing to pin)
     */
    static boolean pin() {
        Linker linker = Linker.nativeLinker();
        Optional<MemorySegment> mallopt = linker.defaultLookup().find("mallopt");
        if (mallopt.isEmpty()) {
            return false;
        }
        MethodHandle call = linker.downcallHandle(mallopt.get(),
                FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
        try {
            return (int) call.invokeExact(M_MMAP_THRESHOLD, BYTES) == 1;
        } catch (Throwable t) {
            return false;
        }
    }
}
