package dev.podnet.procfs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.podnet.testing.Fixtures;
import org.junit.jupiter.api.Test;

class SockstatParserTest {

    @Test
    void modernSockstatAndSockstat6() {
        SockstatParser.Sockstat v4 = SockstatParser.parse(Fixtures.text("6.18/net/sockstat"));
        assertEquals(0, v4.malformedLines());
        assertEquals(19, v4.value("sockets", "used"));
        assertEquals(2, v4.value("TCP", "inuse"));
        assertEquals(135, v4.value("TCP", "tw"));
        assertEquals(140, v4.value("TCP", "mem"));
        assertEquals(0, v4.value("FRAG", "memory"));
        assertEquals(12, v4.entries().size());

        SockstatParser.Sockstat v6 = SockstatParser.parse(Fixtures.text("6.18/net/sockstat6"));
        assertEquals(0, v6.malformedLines());
        assertEquals(1, v6.value("TCP6", "inuse"));
        assertEquals(6, v6.entries().size());
    }

    @Test
    void olderKernel() {
        SockstatParser.Sockstat old = SockstatParser.parse(Fixtures.text("3.2/net/sockstat"));
        assertEquals(0, old.malformedLines());
        assertEquals(312, old.value("sockets", "used"));
        assertEquals(2, old.value("TCP", "orphan"));
        assertEquals(3, old.value("UDP", "mem"));
        assertEquals(4, SockstatParser.parse(Fixtures.text("3.2/net/sockstat6")).value("TCP6", "inuse"));
    }

    @Test
    void malformedLinesAreSkippedAndCounted() {
        SockstatParser.Sockstat s = SockstatParser.parse(Fixtures.text("malformed/net/sockstat"));
        assertEquals(3, s.malformedLines());
        assertEquals(5, s.value("sockets", "used"));
        assertEquals(Double.NaN, s.value("TCP", "inuse"), "a line with a dangling key is dropped whole");
        assertEquals(1, s.value("UDP", "mem"));
        assertEquals(Double.NaN, s.value("RAW", "inuse"));
    }
}
