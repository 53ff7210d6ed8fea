package dev.podnet.netlink;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class TcpSocketPresenceTest {
    /** A fresh namespace on kernel 6.18; alloc and mem are host-wide and must not count. */
    private static final String EMPTY = """
            sockets: used 0
            TCP: inuse 0 orphan 0 tw 0 alloc 6 mem 25
            UDP: inuse 3 mem 0
            UDPLITE: inuse 0
            RAW: inuse 0
            FRAG: inuse 0 memory 0
            """;
    private static final String EMPTY6 = """
            TCP6: inuse 0
            UDP6: inuse 2
            UDPLITE6: inuse 0
            RAW6: inuse 0
            FRAG6: inuse 0 memory 0
            """;

    @Test
    void noTcpSocketOfEitherFamily() {
        assertFalse(TcpSocketPresence.any(EMPTY, EMPTY6));
        assertFalse(TcpSocketPresence.any(EMPTY, ""), "no sockstat6: IPv6 disabled");
    }

    @Test
    void anyHashedSocketOrTimeWaitCounts() {
        assertTrue(TcpSocketPresence.any(EMPTY.replace("TCP: inuse 0", "TCP: inuse 1"), EMPTY6));
        assertTrue(TcpSocketPresence.any(EMPTY.replace("tw 0", "tw 4"), EMPTY6));
        assertTrue(TcpSocketPresence.any(EMPTY, EMPTY6.replace("TCP6: inuse 0", "TCP6: inuse 2")));
    }

    @Test
    void textItCannotReadMeansDump() {
        assertTrue(TcpSocketPresence.any("sockets: used 0\n", EMPTY6), "no TCP line");
        assertTrue(TcpSocketPresence.any(EMPTY.replace("tw 0", "tw x"), EMPTY6));
        assertTrue(TcpSocketPresence.any(EMPTY, "UDP6: inuse 0\n"), "sockstat6 without TCP6");
    }
}
