package dev.podnet.procfs;

import static dev.podnet.procfs.FibTrieParserTest.fixture;
import static dev.podnet.procfs.FibTrieParserTest.ip;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class IfInet6ParserTest {

    @Test
    void addressesOfAVethNamespaceOnKernel6() throws Exception {
        var result = IfInet6Parser.parse(fixture("if_inet6-6.18.txt"));
        assertEquals(0, result.malformedLines());
        assertEquals(List.of(ip("fe80::cc7e:17ff:fe0a:aa96"), ip("fe80::6468:3aff:fe8b:231d"), ip("fd00:244:1::7"), ip("::1")),
                result.addresses().stream().map(IfInet6Parser.Address::address).toList());
        IfInet6Parser.Address global = result.addresses().get(2);
        assertEquals(3, global.ifindex());
        assertEquals(64, global.prefixLength());
        assertEquals(0, global.scope());
        assertEquals(0xc0, global.flags());
        assertEquals("pnfxa", global.device());
    }

    @Test
    void interfaceIndexWiderThanTwoDigits() throws Exception {
        // %02x is a minimum width: on a node with hundreds of veths the index takes three digits
        var result = IfInet6Parser.parse(fixture("if_inet6-4.19-high-ifindex.txt"));
        assertEquals(0, result.malformedLines());
        assertEquals(0x1a3, result.addresses().get(1).ifindex());
        assertEquals(ip("fd00:10:244:1::21"), result.addresses().get(1).address());
    }

    @Test
    void malformedLinesAreCountedAndSkipped() {
        String text = """
                00000000000000000000000000000001 01 80 10 80       lo
                0000000000000000000000000000001 01 80 10 80       short
                zz000000000000000000000000000001 01 80 10 80       nothex
                fd000000000000000000000000000002 04 40 00
                fd000000000000000000000000000003 04 40 00 80     eth0
                """;
        var result = IfInet6Parser.parse(text);
        assertEquals(List.of(ip("::1"), ip("fd00::3")), result.addresses().stream().map(IfInet6Parser.Address::address).toList());
        assertEquals(3, result.malformedLines());
    }
}
