package dev.podnet.procfs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.podnet.testing.Fixtures;
import org.junit.jupiter.api.Test;

class Snmp6ParserTest {

    @Test
    void modernKernelFile() {
        Snmp6Parser.Snmp6 snmp6 = Snmp6Parser.parse(Fixtures.text("6.18/net/snmp6"));
        assertEquals(0, snmp6.malformedLines());
        assertEquals(90, snmp6.counters().size());
        assertEquals(4, snmp6.value("Ip6InReceives"));
        assertEquals(10, snmp6.value("Ip6OutTransmits"));
        assertEquals(4, snmp6.value("Icmp6OutType135"), "per-type counters appear once seen");
        assertEquals(0, snmp6.value("UdpLite6MemErrors"));
    }

    @Test
    void olderKernelsLackNewerCounters() {
        Snmp6Parser.Snmp6 old = Snmp6Parser.parse(Fixtures.text("3.2/net/snmp6"));
        assertEquals(0, old.malformedLines());
        assertEquals(88211, old.value("Ip6InReceives"));
        assertEquals(Double.NaN, old.value("Ip6OutTransmits"));
        assertEquals(Double.NaN, old.value("Icmp6InCsumErrors"));
        assertEquals(Double.NaN, old.value("Udp6IgnoredMulti"));

        Snmp6Parser.Snmp6 mid = Snmp6Parser.parse(Fixtures.text("4.19/net/snmp6"));
        assertEquals(0, mid.malformedLines());
        assertEquals(9, mid.value("Udp6IgnoredMulti"));
        assertEquals(1, mid.value("Icmp6InCsumErrors"));
        assertEquals(Double.NaN, mid.value("Ip6OutTransmits"));
    }

    @Test
    void groupsAreTheNamePrefixes() {
        assertEquals("UdpLite6", Snmp6Parser.groupOf("UdpLite6InDatagrams"));
        assertEquals("Udp6", Snmp6Parser.groupOf("Udp6NoPorts"));
        assertEquals("Icmp6", Snmp6Parser.groupOf("Icmp6InType1"));
        assertEquals("Ip6", Snmp6Parser.groupOf("Ip6InReceives"));
        assertEquals("", Snmp6Parser.groupOf("Sctp6Something"));
    }

    @Test
    void malformedLinesAreSkippedAndCounted() {
        Snmp6Parser.Snmp6 snmp6 = Snmp6Parser.parse(Fixtures.text("malformed/net/snmp6"));
        assertEquals(3, snmp6.malformedLines());
        assertEquals(2, snmp6.counters().size());
        assertEquals(42, snmp6.value("Ip6InReceives"));
        assertEquals(3, snmp6.value("Icmp6InMsgs"));
    }
}
