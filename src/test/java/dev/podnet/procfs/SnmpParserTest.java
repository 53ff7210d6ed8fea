package dev.podnet.procfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.testing.Fixtures;
import java.util.List;
import org.junit.jupiter.api.Test;

class SnmpParserTest {

    @Test
    void modernKernelSnmpHasEveryGroupAndItsNewestFields() {
        SnmpParser.Snmp snmp = SnmpParser.parse(Fixtures.text("6.18/net/snmp"));
        assertEquals(0, snmp.malformedLines());
        assertEquals(List.of("Ip", "Icmp", "IcmpMsg", "Tcp", "Udp", "UdpLite"),
                snmp.sections().stream().map(SnmpParser.Section::group).toList());
        assertEquals(2, snmp.value("Ip", "Forwarding"));
        assertEquals(7168, snmp.value("Ip", "OutTransmits"));
        assertEquals(-1, snmp.value("Tcp", "MaxConn"), "MaxConn is signed");
        assertEquals(323, snmp.value("Tcp", "ActiveOpens"));
        assertEquals(58, snmp.value("Tcp", "OutRsts"));
        assertEquals(1, snmp.value("IcmpMsg", "InType3"));
        assertEquals(0, snmp.value("Udp", "MemErrors"));
        assertEquals(29, snmp.sections().get(1).header().fields().size(), "Icmp with OutRateLimit*");
    }

    @Test
    void olderKernelLacksChecksumAndTransmitFieldsAndThatIsFine() {
        SnmpParser.Snmp snmp = SnmpParser.parse(Fixtures.text("3.2/net/snmp"));
        assertEquals(0, snmp.malformedLines());
        assertEquals(Double.NaN, snmp.value("Tcp", "InCsumErrors"));
        assertEquals(Double.NaN, snmp.value("Icmp", "InCsumErrors"));
        assertEquals(Double.NaN, snmp.value("Ip", "OutTransmits"));
        assertEquals(Double.NaN, snmp.value("Udp", "IgnoredMulti"));
        assertEquals(6, snmp.sections().stream().filter(s -> s.group().equals("Udp")).findFirst().orElseThrow()
                .values().length);
        assertEquals(44021, snmp.value("Tcp", "ActiveOpens"));
        assertEquals(150, snmp.value("Udp", "NoPorts"));
        assertEquals(12, snmp.value("Tcp", "CurrEstab"));
    }

    @Test
    void icmpMsgSplitOverTwoLinePairsKeepsAllTypes() {
        SnmpParser.Snmp snmp = SnmpParser.parse(Fixtures.text("4.19/net/snmp"));
        assertEquals(0, snmp.malformedLines());
        List<SnmpParser.Section> icmpMsg = snmp.sections().stream().filter(s -> s.group().equals("IcmpMsg")).toList();
        assertEquals(2, icmpMsg.size());
        assertEquals(16, icmpMsg.get(0).values().length, "the kernel prints 16 per line");
        assertEquals(3, snmp.value("IcmpMsg", "OutType11"));
        assertEquals(2011, snmp.value("IcmpMsg", "InType3"));
        assertEquals(3, snmp.value("Tcp", "InCsumErrors"));
        assertEquals(120, snmp.value("Udp", "IgnoredMulti"));
    }

    @Test
    void netstatHasTcpExtIpExtAndMptcpWherePresent() {
        SnmpParser.Snmp modern = SnmpParser.parse(Fixtures.text("6.18/net/netstat"));
        assertEquals(0, modern.malformedLines());
        assertEquals(List.of("TcpExt", "IpExt", "MPTcpExt"), modern.sections().stream().map(SnmpParser.Section::group).toList());
        assertEquals(135, modern.sections().get(0).values().length);
        assertEquals(292, modern.value("TcpExt", "TW"));
        assertEquals(2478, modern.value("TcpExt", "TCPOrigDataSent"));
        assertEquals(118801849, modern.value("IpExt", "InOctets"));

        SnmpParser.Snmp old = SnmpParser.parse(Fixtures.text("3.2/net/netstat"));
        assertEquals(0, old.malformedLines());
        assertEquals(List.of("TcpExt", "IpExt"), old.sections().stream().map(SnmpParser.Section::group).toList());
        assertEquals(7, old.value("TcpExt", "ListenOverflows"));
        assertEquals(1120, old.value("TcpExt", "TCPPrequeued"), "a field newer kernels dropped");
        assertEquals(Double.NaN, old.value("IpExt", "InCsumErrors"));

        SnmpParser.Snmp mid = SnmpParser.parse(Fixtures.text("4.19/net/netstat"));
        assertEquals(0, mid.malformedLines());
        assertEquals(1402, mid.value("TcpExt", "ListenOverflows"));
        assertEquals(902233445566d, mid.value("IpExt", "InOctets"));
    }

    @Test
    void malformedLinesAreSkippedAndCounted() {
        SnmpParser.Snmp snmp = SnmpParser.parse(Fixtures.text("malformed/net/snmp"));
        // garbage (1), Icmp count mismatch (2), Tcp non-number (2), UdpLite header + Udp values (2), IcmpMsg at end (1)
        assertEquals(8, snmp.malformedLines());
        assertEquals(List.of("Ip", "Udp"), snmp.sections().stream().map(SnmpParser.Section::group).toList());
        assertEquals(500, snmp.value("Ip", "InReceives"));
        assertEquals(2, snmp.value("Udp", "NoPorts"));

        SnmpParser.Snmp netstat = SnmpParser.parse(Fixtures.text("malformed/net/netstat"));
        assertEquals(3, netstat.malformedLines());
        assertEquals(2000, netstat.value("IpExt", "OutOctets"));
        assertEquals(Double.NaN, netstat.value("TcpExt", "ListenOverflows"));
    }

    @Test
    void emptyAndTruncatedInputNeverThrow() {
        assertEquals(0, SnmpParser.parse("").sections().size());
        assertEquals(1, SnmpParser.parse("Tcp: ActiveOpens").malformedLines());
        assertEquals(1, SnmpParser.parse("Tcp: ActiveOpens\nTcp: 1").sections().size());
        assertEquals(2, SnmpParser.parse("Tcp: A B\nTcp: 1 2 3").malformedLines());
        assertEquals(1, SnmpParser.parse("\n\n   \nTcp: 1 2").malformedLines());
    }

    @Test
    void u64CountersBeyondLongRangeAreKept() {
        SnmpParser.Snmp snmp = SnmpParser.parse("IpExt: InOctets\nIpExt: 18446744073709551615\n");
        assertEquals(0, snmp.malformedLines());
        assertEquals(1.8446744073709552E19, snmp.value("IpExt", "InOctets"));
    }

    @Test
    void equalHeaderLinesAreTheSameInstanceSoCallersCanCacheOnThem() {
        String text = Fixtures.text("6.18/net/snmp");
        SnmpParser.Header a = SnmpParser.parse(text).sections().get(3).header();
        SnmpParser.Header b = SnmpParser.parse(text).sections().get(3).header();
        assertSame(a, b);
        assertTrue(a.fields().contains("CurrEstab"));
    }
}
