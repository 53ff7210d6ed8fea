package dev.podnet.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.util.concurrent.Callable;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Receives what libbpf prints (its print callback, installed once through an FFM upcall) and hands it
 * to the caller that made libbpf print it: libbpf calls the callback on the thread of the failing call,
 * so a thread-local capture around each call gives that call's messages, including the verifier log
 * of a rejected program. Messages outside a capture go to java.util.logging.
 *
 * <p>The upcall never throws: an exception escaping an upcall would end the JVM.
 */
final class LibbpfLog {
    private static final Logger LOG = Logger.getLogger("dev.podnet.bpf.libbpf");
    private static final int LIBBPF_WARN = 0;
    private static final int LIBBPF_DEBUG = 2;
    /**
     * One buffer for formatting, shared under a lock: printing is rare (loads and failures) and a
     * verifier log arrives as one message that may be large. Longer messages are cut.
     */
    private static final long FORMAT_BUFFER_BYTES = 1 << 20;
    private static final MethodHandle VSNPRINTF = Libbpf.libc("vsnprintf",
            FunctionDescriptor.of(Libbpf.INT, Libbpf.POINTER, Libbpf.LONG, Libbpf.POINTER, Libbpf.POINTER));
    private static final MethodHandle SET_PRINT = Libbpf.function("libbpf_set_print",
            FunctionDescriptor.of(Libbpf.POINTER, Libbpf.POINTER));
    private static final ThreadLocal<StringBuilder> CAPTURE = new ThreadLocal<>();
    private static MemorySegment formatBuffer;
    private static boolean installed;

    private LibbpfLog() {
    }

    /** A libbpf call whose printed messages should be captured. */
    @FunctionalInterface
    interface LibbpfCall<T> {
        T call() throws BpfException;
    }

    /** Result of a captured call: its value and what libbpf printed during it. */
    record Captured<T>(T value, String log) {
    }

    /** Runs {@code call} with libbpf's messages on this thread collected. Nested captures share one log. */
    static <T> Captured<T> capture(LibbpfCall<T> call) throws BpfException {
        install();
        StringBuilder outer = CAPTURE.get();
        StringBuilder log = outer != null ? outer : new StringBuilder();
        CAPTURE.set(log);
        int start = log.length();
        try {
            T value = call.call();
            return new Captured<>(value, log.substring(start));
        } finally {
            if (outer == null) {
                CAPTURE.remove();
            }
        }
    }

    /** The text captured so far on this thread (for a failing call still inside its capture). */
    static String capturedSoFar() {
        StringBuilder log = CAPTURE.get();
        return log == null ? "" : log.toString();
    }

    static synchronized void install() throws BpfException {
        if (installed) {
            return;
        }
        Libbpf.require();
        try {
            MethodHandle target = MethodHandles.lookup().findStatic(LibbpfLog.class, "print",
                    MethodType.methodType(int.class, int.class, MemorySegment.class, MemorySegment.class));
            MemorySegment upcall = Libbpf.LINKER.upcallStub(target,
                    FunctionDescriptor.of(Libbpf.INT, Libbpf.INT, Libbpf.POINTER, Libbpf.POINTER), Arena.global());
            formatBuffer = Arena.global().allocate(FORMAT_BUFFER_BYTES);
            try (Arena arena = Arena.ofConfined()) {
                MemorySegment previous = (MemorySegment) SET_PRINT.invokeExact(Libbpf.newCallState(arena), upcall);
            }
            installed = true;
        } catch (Throwable t) {
            throw Libbpf.callFailed("libbpf_set_print", t);
        }
    }

    /** The print callback: (enum libbpf_print_level, const char *format, va_list). */
    private static int print(int level, MemorySegment format, MemorySegment args) {
        try {
            if (level >= LIBBPF_DEBUG) {
                // debug chatter (every relocation of every load): formatted only when asked for
                if (LOG.isLoggable(Level.FINEST)) {
                    String text = format(format, args);
                    LOG.finest(() -> "libbpf: " + text.stripTrailing());
                }
                return 0;
            }
            StringBuilder capture = CAPTURE.get();
            String text = format(format, args);
            if (capture != null) {
                capture.append(text);
                LOG.fine(() -> "libbpf: " + text.stripTrailing());
            } else {
                LOG.log(level == LIBBPF_WARN ? Level.WARNING : Level.FINE, () -> "libbpf: " + text.stripTrailing());
            }
        } catch (Throwable t) {
            // nothing may escape an upcall; a lost log line is the lesser harm
        }
        return 0;
    }

    /**
     * vsnprintf into the shared buffer. A va_list parameter arrives as a pointer on the platforms
     * podnet runs on (x86-64 and aarch64 pass it by reference), so it can be handed on unchanged.
     */
    private static synchronized String format(MemorySegment format, MemorySegment args) throws Throwable {
        int ignored = (int) VSNPRINTF.invokeExact(formatBuffer, FORMAT_BUFFER_BYTES, format, args);
        return formatBuffer.getString(0);
    }
}
