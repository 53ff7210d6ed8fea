package dev.podnet.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import org.junit.jupiter.api.Test;

class LibbpfTest {
    @Test
    void aFunctionMissingFromLibbpfFailsOnlyWhenCalledAndSaysWhich() {
        MethodHandle missing = Libbpf.function("podnet_no_such_function", FunctionDescriptor.of(Libbpf.INT, Libbpf.INT));
        MethodHandle missingVoid = Libbpf.function("podnet_no_such_void", FunctionDescriptor.ofVoid(Libbpf.POINTER));
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libbpf.newCallState(arena);
            UnsatisfiedLinkError e = assertThrows(UnsatisfiedLinkError.class, () -> {
                int ignored = (int) missing.invokeExact(state, 1);
            });
            assertTrue(e.getMessage().contains("podnet_no_such_function"), e.getMessage());
            assertThrows(UnsatisfiedLinkError.class, () -> {
                missingVoid.invokeExact(state, MemorySegment.NULL);
            });
        }
    }

    @Test
    void errnoTextComesFromLibcAndLibbpf() {
        assertEquals("No such file or directory (errno 2)", Errno.describe(2));
        assertEquals("failed (no errno)", Errno.describe(0));
        // libbpf's own codes start at 4000; strerror knows nothing of them
        assertEquals("Endian mismatch (errno 4003)", Errno.describe(4003));
    }

    @Test
    void exceptionMessagesEndWithTheTailOfLibbpfsOutput() {
        String log = "x".repeat(10_000) + "the reason";
        BpfException e = new BpfException("program p: load", -13, log);
        assertTrue(e.getMessage().startsWith("program p: load: Permission denied (errno 13)\nlibbpf said:\n..."));
        assertTrue(e.getMessage().endsWith("the reason"));
        assertEquals(13, e.errno());
        assertEquals("program p: attach: No such file or directory (errno 2)", new BpfException("program p: attach", 2, "").getMessage());
    }
}
