package dev.podnet.bpf;

/**
 * A libbpf or kernel call that failed. The message names what failed (object, program, map or
 * tracepoint), gives the kernel's reason, and ends with what libbpf printed meanwhile (for a load that
 * the verifier rejected: the verifier log, whose last lines say why).
 */
public class BpfException extends Exception {
    /** Enough of libbpf's output to hold the end of a verifier log without flooding /status. */
    private static final int MAX_LOG_CHARS = 8192;

    private final int errno;

    public BpfException(String message) {
        super(message);
        this.errno = 0;
    }

    /**
     * @param what  the thing that failed and the action, e.g. "program on_kfree_skb: attach to raw tracepoint kfree_skb"
     * @param errno positive errno (libbpf returns it negated; either sign is accepted)
     * @param log   what libbpf printed during the call, or empty
     */
    public BpfException(String what, int errno, String log) {
        super(what + ": " + Errno.describe(Math.abs(errno)) + tail(log));
        this.errno = Math.abs(errno);
    }

    /** The kernel's error number, or 0 when the failure did not come with one. */
    public int errno() {
        return errno;
    }

    private static String tail(String log) {
        if (log == null || log.isBlank()) {
            return "";
        }
        String text = log.strip();
        if (text.length() > MAX_LOG_CHARS) {
            text = "..." + text.substring(text.length() - MAX_LOG_CHARS);
        }
        return "\nlibbpf said:\n" + text;
    }
}
