package dev.podnet.probe.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class SockLabelsTest {
    /** Packs a label as sockbuf.bpf.c's sock_label() does, plus the exceed_buf_limit kind. */
    private static int label(int kind, int family, int type, int protocol) {
        return kind << 28 | family << 20 | type << 16 | protocol;
    }

    @Test
    void inetSocketsAreNamedByProtocolAndRawSocketsAsRaw() {
        assertEquals("tcp", SockLabels.protocolName(label(0, 2, 1, 6)));
        assertEquals("udp", SockLabels.protocolName(label(0, 10, 2, 17)));
        assertEquals("icmp", SockLabels.protocolName(label(0, 2, 2, 1)), "ping socket");
        assertEquals("raw", SockLabels.protocolName(label(0, 2, 3, 1)), "raw socket, whatever its protocol");
        assertEquals("raw", SockLabels.protocolName(label(0, 10, 3, 253)));
        assertEquals("ip253", SockLabels.protocolName(label(0, 2, 2, 253)), "unknown IP protocol by number");
    }

    @Test
    void otherFamiliesAreNamedByFamily() {
        assertEquals("can", SockLabels.protocolName(label(0, 29, 3, 1)));
        assertEquals("af42", SockLabels.protocolName(label(0, 42, 2, 0)));
    }

    @Test
    void memoryKindIsInTheTopBits() {
        assertEquals("send", SockLabels.memoryKind(label(0, 2, 1, 6)));
        assertEquals("receive", SockLabels.memoryKind(label(1, 2, 1, 6)));
        assertEquals("tcp", SockLabels.protocolName(label(1, 2, 1, 6)), "the kind does not disturb the protocol");
        assertEquals("unknown", SockLabels.memoryKind(label(3, 2, 1, 6)));
    }
}
