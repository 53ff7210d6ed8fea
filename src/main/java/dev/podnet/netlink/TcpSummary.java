package dev.podnet.netlink;

import java.lang.foreign.MemorySegment;

/**
 * TCP sockets of one namespace, counted by state, with the queues of the established ones; built from
 * sock_diag's {@code inet_diag_msg} answers.
 *
 * @param sockets                  sockets per state, indexed by {@link TcpState#ordinal()}
 * @param establishedRxQueueBytes  established sockets' bytes received but not yet read by the application
 * @param establishedTxQueueBytes  established sockets' bytes written but not yet acknowledged by the peer
 * @param acceptQueue              connections waiting in listening sockets' accept queues
 */
public record TcpSummary(long[] sockets, long establishedRxQueueBytes, long establishedTxQueueBytes, long acceptQueue) {

    /** No socket at all. */
    public static final TcpSummary EMPTY = new TcpSummary(new long[TcpState.ALL.size()], 0, 0, 0);

    public long sockets(TcpState state) {
        return sockets[state.ordinal()];
    }

    /** Adds up {@code inet_diag_msg}s; one per namespace collection. */
    public static final class Builder {
        /** sizeof(struct inet_diag_msg): family, state, timer, retrans, 48-byte socket id, then five u32. */
        static final int MESSAGE_BYTES = 72;
        private static final int STATE = 1;
        private static final int RQUEUE = 56;
        private static final int WQUEUE = 60;

        private final long[] sockets = new long[TcpState.ALL.size()];
        private long rx;
        private long tx;
        private long acceptQueue;

        /**
         * One sock_diag answer: an {@code inet_diag_msg} followed by attributes we do not need.
         *
         * @param type the answer's message type, for errors (SOCK_DIAG_BY_FAMILY or TCPDIAG_GETSOCK)
         */
        public void add(MemorySegment message, String type) throws MalformedNetlinkException {
            if (message.byteSize() < MESSAGE_BYTES) {
                throw new MalformedNetlinkException("truncated " + type + " message: " + message.byteSize()
                        + " bytes, an inet_diag_msg needs " + MESSAGE_BYTES);
            }
            TcpState state = TcpState.of(NetlinkBytes.u8(message, STATE));
            if (state == null) {
                return; // a state newer than podnet; we asked for the known ones only
            }
            sockets[state.ordinal()]++;
            // For TCP, idiag_rqueue/wqueue are rcv_nxt - copied_seq and write_seq - snd_una; on a listener
            // they are the accept queue's length and limit instead.
            if (state == TcpState.ESTABLISHED) {
                rx += NetlinkBytes.u32(message, RQUEUE);
                tx += NetlinkBytes.u32(message, WQUEUE);
            } else if (state == TcpState.LISTEN) {
                acceptQueue += NetlinkBytes.u32(message, RQUEUE);
            }
        }

        public TcpSummary build() {
            return new TcpSummary(sockets.clone(), rx, tx, acceptQueue);
        }
    }
}
