package dev.podnet.probe.bpf;

import java.util.Map;

/** Names of the socket errors a failed TCP connect ends with (Linux errno values, the same on every architecture podnet runs on). */
final class SocketErrors {
    private record Errno(String name, String text) {
    }

    private static final Map<Integer, Errno> KNOWN = Map.ofEntries(
            Map.entry(0, new Errno("CLOSED", "closed while connecting")),
            Map.entry(1, new Errno("EPERM", "operation not permitted")),
            Map.entry(13, new Errno("EACCES", "permission denied")),
            Map.entry(71, new Errno("EPROTO", "protocol error")),
            Map.entry(92, new Errno("ENOPROTOOPT", "protocol not available")),
            Map.entry(100, new Errno("ENETDOWN", "network is down")),
            Map.entry(101, new Errno("ENETUNREACH", "network is unreachable")),
            Map.entry(103, new Errno("ECONNABORTED", "connection aborted")),
            Map.entry(104, new Errno("ECONNRESET", "connection reset by peer")),
            Map.entry(110, new Errno("ETIMEDOUT", "connection timed out")),
            Map.entry(111, new Errno("ECONNREFUSED", "connection refused")),
            Map.entry(112, new Errno("EHOSTDOWN", "host is down")),
            Map.entry(113, new Errno("EHOSTUNREACH", "no route to host")));

    private SocketErrors() {
    }

    /** ECONNREFUSED, ..., CLOSED for 0, ERRNO_<n> for others. */
    static String name(int errno) {
        Errno known = KNOWN.get(errno);
        return known != null ? known.name() : "ERRNO_" + errno;
    }

    /** " (connection refused)", or nothing for an unknown error. */
    static String describe(int errno) {
        Errno known = KNOWN.get(errno);
        return known != null ? " (" + known.text() + ")" : "";
    }
}
