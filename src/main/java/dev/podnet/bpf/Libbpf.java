package dev.podnet.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import java.lang.foreign.SymbolLookup;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.VarHandle;

/**
 * The system's libbpf (libbpf.so.1, 1.1 or newer), reached through java.lang.foreign. Classes of this
 * package declare the functions they call with {@link #function}; every call captures errno right
 * after it returns, because the JVM may clobber it before Java code could read it.
 *
 * <p>libbpf 1.x reports failures the same way everywhere: functions returning int return a negative
 * errno, functions returning a pointer return NULL and set errno.
 */
final class Libbpf {
    static final Linker LINKER = Linker.nativeLinker();
    static final ValueLayout.OfInt INT = ValueLayout.JAVA_INT;
    static final ValueLayout.OfLong LONG = ValueLayout.JAVA_LONG;
    static final java.lang.foreign.AddressLayout POINTER = ValueLayout.ADDRESS;

    private static final StructLayout CALL_STATE = Linker.Option.captureStateLayout();
    private static final VarHandle ERRNO = CALL_STATE.varHandle(MemoryLayout.PathElement.groupElement("errno"));
    private static final Linker.Option CAPTURE_ERRNO = Linker.Option.captureCallState("errno");
    private static final String LIBRARY = "libbpf.so.1";

    /** The library, or null with {@link #LOAD_ERROR} saying why; checked by {@link #require()}. */
    private static final SymbolLookup LIB;
    private static final String LOAD_ERROR;

    static {
        SymbolLookup lib = null;
        String error = null;
        try {
            lib = SymbolLookup.libraryLookup(LIBRARY, Arena.global());
        } catch (IllegalArgumentException e) {
            error = LIBRARY + " not found (install libbpf1, libbpf 1.1 or newer): " + e.getMessage();
        }
        LIB = lib;
        LOAD_ERROR = error;
    }

    private Libbpf() {
    }

    /** Fails with the reason when libbpf is not installed, before anything tries to call it. */
    static void require() throws BpfException {
        if (LIB == null) {
            throw new BpfException(LOAD_ERROR);
        }
    }

    /**
     * A downcall to {@code name} whose first parameter is the call-state segment that receives errno
     * (see {@link #newCallState}). Missing functions (an older libbpf) resolve to a handle that throws
     * {@link UnsatisfiedLinkError} when called, so one missing symbol never breaks the whole binding.
     */
    static MethodHandle function(String name, FunctionDescriptor descriptor) {
        if (LIB == null) {
            return missing(name, descriptor, LOAD_ERROR);
        }
        return LIB.find(name)
                .map(symbol -> LINKER.downcallHandle(symbol, descriptor, CAPTURE_ERRNO))
                .orElseGet(() -> missing(name, descriptor, LIBRARY + " has no " + name + " (libbpf too old?)"));
    }

    /** A downcall to a libc function (through the default lookup), without errno capture. */
    static MethodHandle libc(String name, FunctionDescriptor descriptor) {
        MemorySegment symbol = LINKER.defaultLookup().find(name)
                .orElseThrow(() -> new UnsatisfiedLinkError("libc has no " + name));
        return LINKER.downcallHandle(symbol, descriptor);
    }

    static MemorySegment newCallState(Arena arena) {
        return arena.allocate(CALL_STATE);
    }

    static int errno(MemorySegment callState) {
        return (int) ERRNO.get(callState, 0L);
    }

    /** Wraps a failed invokeExact: only a programming error (wrong signature) gets here. */
    static IllegalStateException callFailed(String function, Throwable t) {
        if (t instanceof UnsatisfiedLinkError link) {
            throw link;
        }
        return new IllegalStateException("native call " + function + " failed: " + t, t);
    }

    private static MethodHandle missing(String name, FunctionDescriptor descriptor, String why) {
        MethodType type = descriptor.toMethodType().insertParameterTypes(0, MemorySegment.class);
        MethodHandle thrower = MethodHandles.throwException(type.returnType(), UnsatisfiedLinkError.class)
                .bindTo(new UnsatisfiedLinkError(why));
        return MethodHandles.dropArguments(thrower, 0, type.parameterList());
    }
}
