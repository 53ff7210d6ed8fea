package dev.podnet.probe.procfs;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The kernel's page size, for values it prints in pages (sockstat {@code mem}). Asked of libc rather
 * than assumed: arm64 and ppc64 kernels often use 16 or 64 KiB pages.
 */
final class PageSize {
    /** Bytes per page, or -1 when libc could not tell (then nothing is converted to bytes). */
    static final long BYTES = lookup();

    private PageSize() {
    }

    private static long lookup() {
        try {
            Linker linker = Linker.nativeLinker();
            MethodHandle getpagesize = linker.downcallHandle(
                    linker.defaultLookup().find("getpagesize").orElseThrow(),
                    FunctionDescriptor.of(ValueLayout.JAVA_INT));
            int size = (int) getpagesize.invokeExact();
            return size > 0 ? size : -1;
        } catch (Throwable e) {
            return -1;
        }
    }
}
