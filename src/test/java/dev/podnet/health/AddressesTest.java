package dev.podnet.health;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class AddressesTest {
    private static String literal(String ip) {
        return Addresses.literal(InetAddress.ofLiteral(ip));
    }

    @Test
    void ipv6AsRfc5952WritesIt() {
        assertEquals("fd00::5", literal("fd00:0:0:0:0:0:0:5"));
        assertEquals("::", literal("0:0:0:0:0:0:0:0"));
        assertEquals("::1", literal("::1"));
        assertEquals("fe80::", literal("fe80::"));
        assertEquals("2001:db8::1:0:0:1", literal("2001:db8:0:0:1:0:0:1"), "the first of two equal runs");
        assertEquals("2001:db8:0:1:1:1:1:1", literal("2001:db8:0:1:1:1:1:1"), "a single zero group stays");
        assertEquals("2001:db8::1", literal("2001:0db8:0000:0000:0000:0000:0000:0001"));
        assertEquals("1:0:0:2::3", literal("1:0:0:2:0:0:0:3"), "the longest run");
        assertEquals("fe80::1", literal("fe80::1%1"), "no zone");
        assertEquals("10.0.0.1", literal("10.0.0.1"));
    }
}
