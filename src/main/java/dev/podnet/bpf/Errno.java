package dev.podnet.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** Error numbers the binding acts on, and their text. */
final class Errno {
    static final int EPERM = 1;
    static final int ENOENT = 2;
    static final int EINTR = 4;
    static final int EEXIST = 17;
    static final int EINVAL = 22;
    static final int E2BIG = 7;

    private static final MethodHandle STRERROR = Libbpf.libc("strerror",
            FunctionDescriptor.of(ValueLayout.ADDRESS.withTargetLayout(MemoryLayout.sequenceLayout(256, ValueLayout.JAVA_BYTE)),
                    ValueLayout.JAVA_INT));

    /** libbpf's own codes (LIBBPF_ERRNO__*, from 4000) mean nothing to strerror. */
    private static final int LIBBPF_ERRNO_START = 4000;
    private static final MethodHandle LIBBPF_STRERROR = Libbpf.function("libbpf_strerror",
            FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_LONG));

    private Errno() {
    }

    /** "No such file or directory (errno 2)". */
    static String describe(int errno) {
        if (errno == 0) {
            return "failed (no errno)";
        }
        String text;
        try {
            text = errno >= LIBBPF_ERRNO_START ? libbpfText(errno) : ((MemorySegment) STRERROR.invokeExact(errno)).getString(0);
        } catch (Throwable t) {
            text = "error";
        }
        return text + " (errno " + errno + ")";
    }

    private static String libbpfText(int errno) throws Throwable {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment buffer = arena.allocate(256);
            int ignored = (int) LIBBPF_STRERROR.invokeExact(Libbpf.newCallState(arena), errno, buffer, buffer.byteSize());
            return buffer.getString(0);
        }
    }
}
