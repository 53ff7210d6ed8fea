package dev.podnet.procfs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

class FibTrieParserTest {

    @Test
    void policyRoutingTablesOnKernel6() throws Exception {
        // captured on 6.18 in a namespace with a veth, an address on lo, a rule to table 100 and a tos route
        var result = FibTrieParser.parse(fixture("fib_trie-6.18-policy-routing.txt"));
        assertEquals(List.of(ip("10.244.1.7"), ip("10.244.1.8"), ip("127.0.0.1")), result.addresses());
        assertEquals(0, result.malformedLines());
    }

    @Test
    void mergedMainAndLocalTablesReportEachAddressOnce() throws Exception {
        // kernels since 4.1 print the merged trie under both Main: and Local: when no policy rule exists
        var result = FibTrieParser.parse(fixture("fib_trie-6.18-merged-tables.txt"));
        assertEquals(List.of(ip("127.0.0.1"), ip("192.0.2.2")), result.addresses());
        assertEquals(0, result.malformedLines());
    }

    @Test
    void separateLocalTableWithSeveralRoutesPerLeafOnKernel3() throws Exception {
        // 3.10 (RHEL 7) layout from fib_trie_seq_show of that release: Local: first, the network address
        // of 127/8 carrying both a /32 BROADCAST and the /8 LOCAL route, which is not an address
        var result = FibTrieParser.parse(fixture("fib_trie-3.10-local-first.txt"));
        assertEquals(List.of(ip("10.0.2.15"), ip("127.0.0.1"), ip("172.17.0.1")), result.addresses());
        assertEquals(0, result.malformedLines());
    }

    @Test
    void malformedLinesAreCountedAndSkipped() {
        String text = """
                Main:
                  |-- 10.1.2.3
                     /32 host LOCAL
                  |-- 10.1.2.300
                     /32 host LOCAL
                  |-- 10.1.2.4
                     /32 host
                garbage here
                  |-- 10.1.2.5
                     /32 host LOCAL
                """;
        var result = FibTrieParser.parse(text);
        // 10.1.2.300 is not an address, so its route line has no leaf either
        assertEquals(List.of(ip("10.1.2.3"), ip("10.1.2.5")), result.addresses());
        assertEquals(4, result.malformedLines());
    }

    @Test
    void emptyFileHasNoAddresses() {
        assertEquals(List.of(), FibTrieParser.parse("").addresses());
    }

    static InetAddress ip(String literal) {
        return InetAddress.ofLiteral(literal);
    }

    static String fixture(String name) throws IOException {
        try (InputStream in = FibTrieParserTest.class.getResourceAsStream("/procfs/" + name)) {
            if (in == null) {
                throw new IOException("missing fixture " + name);
            }
            return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
        }
    }
}
