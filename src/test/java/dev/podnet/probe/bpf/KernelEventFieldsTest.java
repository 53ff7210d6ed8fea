package dev.podnet.probe.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class KernelEventFieldsTest {
    private static byte[] bytes(int... values) {
        byte[] b = new byte[16];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static byte[] mapped(int a, int b, int c, int d) {
        return bytes(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, a, b, c, d);
    }

    private static KernelEventRecord record(int family, int protocol, byte[] saddr, int sport, byte[] daddr, int dport) {
        return new KernelEventRecord(0, 1, 0, 0, 0, 0, family, protocol, 0, 0, sport, dport, saddr, daddr, "");
    }

    @Test
    void ipv4InTheFirstFourBytes() {
        Map<String, Object> f = KernelEventFields.tuple(record(2, 6, bytes(10, 0, 0, 1), 80, bytes(10, 0, 0, 2), 43210));
        assertEquals(Map.of("protocol", "tcp", "family", "ipv4", "saddr", "10.0.0.1", "sport", 80, "daddr", "10.0.0.2",
                "dport", 43210), f);
        assertEquals(java.util.List.of("protocol", "family", "saddr", "sport", "daddr", "dport"), java.util.List.copyOf(f.keySet()));
    }

    @Test
    void ipv4MappedIntoAnIpv6SocketIsIpv4() {
        Map<String, Object> f = KernelEventFields.tuple(record(10, 6, mapped(10, 0, 0, 1), 80, mapped(10, 0, 0, 2), 1));
        assertEquals("ipv4", f.get("family"));
        assertEquals("10.0.0.1", f.get("saddr"));
        assertEquals("10.0.0.2", f.get("daddr"));
    }

    @Test
    void ipv6AsRfc5952WritesIt() {
        assertEquals("fd00:212:26::1", KernelEventFields.ipv6(bytes(0xfd, 0, 0x02, 0x12, 0, 0x26, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1)));
        assertEquals("::1", KernelEventFields.ipv6(bytes(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1)));
        assertEquals("::", KernelEventFields.ipv6(bytes()));
        assertEquals("2001:db8:0:1:1:1:1:1", KernelEventFields.ipv6(bytes(0x20, 1, 0x0d, 0xb8, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 0, 1)),
                "a single zero group stays");
        assertEquals("2001:0:0:1::1", KernelEventFields.ipv6(bytes(0x20, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1)),
                "the longest run, the first of equal ones");
        Map<String, Object> f = KernelEventFields.tuple(record(10, 17, bytes(0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1), 53,
                bytes(0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2), 5353));
        assertEquals("ipv6", f.get("family"));
        assertEquals("udp", f.get("protocol"));
        assertEquals("[fe80::1]:53", KernelEventFields.endpoint(f, "s"));
    }

    @Test
    void noAddressesNoTuple() {
        assertEquals(Map.of(), KernelEventFields.tuple(record(0, 0, bytes(), 0, bytes(), 0)));
        Map<String, Object> icmp = KernelEventFields.tuple(record(2, 1, bytes(10, 0, 0, 1), 0, bytes(10, 0, 0, 2), 0));
        assertEquals(new LinkedHashMap<>(Map.of("protocol", "icmp", "family", "ipv4", "saddr", "10.0.0.1", "daddr", "10.0.0.2")), icmp,
                "no ports for ICMP");
        assertEquals("10.0.0.1", KernelEventFields.endpoint(icmp, "s"));
    }

    @Test
    void durations() {
        assertEquals("12.3 ms", KernelEventFields.duration(12_300_000));
        assertEquals("850.0 µs", KernelEventFields.duration(850_000));
        assertEquals("999 ns", KernelEventFields.duration(999));
        assertEquals("1.50 s", KernelEventFields.duration(1_500_000_000));
    }
}
