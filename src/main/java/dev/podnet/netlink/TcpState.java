package dev.podnet.netlink;

import java.util.List;

/** The kernel's TCP states (include/net/tcp_states.h), by number, with the names podnet exports. */
public enum TcpState {
    ESTABLISHED(1), SYN_SENT(2), SYN_RECV(3), FIN_WAIT1(4), FIN_WAIT2(5), TIME_WAIT(6), CLOSE(7),
    CLOSE_WAIT(8), LAST_ACK(9), LISTEN(10), CLOSING(11), NEW_SYN_RECV(12);

    public static final List<TcpState> ALL = List.of(values());
    /** The sock_diag state filter selecting exactly these states (bit n = state n). */
    public static final int ALL_MASK = ((1 << (NEW_SYN_RECV.number + 1)) - 1) & ~1;

    private final int number;
    private final String label;

    TcpState(int number) {
        this.number = number;
        this.label = name().toLowerCase(java.util.Locale.ROOT);
    }

    public int number() {
        return number;
    }

    /** The {@code state} label value, e.g. {@code established}, {@code fin_wait1}. */
    public String label() {
        return label;
    }

    /** The state with this kernel number, or null for one podnet does not know. */
    public static TcpState of(int number) {
        return number >= 1 && number <= ALL.size() ? ALL.get(number - 1) : null;
    }
}
