package dev.podnet.probe.bpf;

import java.util.List;

/**
 * Names of the kernel's TCP states (include/net/tcp_states.h), as ss and /proc/net/tcp number them.
 * The numbering is part of what user space sees, so it does not change between kernels.
 */
final class TcpStates {
    private static final List<String> NAMES = List.of("", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1",
            "FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK", "LISTEN", "CLOSING", "NEW_SYN_RECV",
            "BOUND_INACTIVE");
    private TcpStates() {
    }

    static String name(int state) {
        return state > 0 && state < NAMES.size() ? NAMES.get(state) : "STATE_" + state;
    }
}
