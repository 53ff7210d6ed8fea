package dev.podnet.health;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class IcmpPacketsTest {
    private static final HexFormat HEX = HexFormat.of();

    @Test
    void checksumOfTheRfc1071Example() {
        // RFC 1071 section 3: the words 0001 f203 f4f5 f6f7 sum to ddf2, whose complement is 220d
        assertEquals(0x220d, IcmpPackets.checksum(HEX.parseHex("0001f203f4f5f6f7"), 0, 8));
    }

    @Test
    void checksumPadsAnOddLastByteWithZero() {
        assertEquals(IcmpPackets.checksum(HEX.parseHex("0001f203f4f5f6f700"), 0, 9),
                IcmpPackets.checksum(HEX.parseHex("0001f203f4f5f6f7"), 0, 8));
        assertEquals(~0xab00 & 0xffff, IcmpPackets.checksum(HEX.parseHex("ab"), 0, 1));
    }

    @Test
    void ipv4EchoRequestAsPingSendsIt() {
        // type 8, code 0, checksum ~(0800 + 1234 + 0001) = e5ca, id 1234, sequence 1
        assertArrayEquals(HEX.parseHex("0800e5ca12340001"), IcmpPackets.echoRequest(false, 0x1234, 1, new byte[0]));
        byte[] withPayload = IcmpPackets.echoRequest(false, 0xbeef, 0xffff, "podnet!".getBytes());
        assertEquals(0, IcmpPackets.checksum(withPayload, 0, withPayload.length), "a correct checksum sums to zero");
    }

    @Test
    void ipv6EchoRequestLeavesTheChecksumToTheKernel() {
        assertArrayEquals(HEX.parseHex("80000000abcd0007ff"), IcmpPackets.echoRequest(true, 0xabcd, 7, new byte[] {-1}));
    }

    @Test
    void ipv4ReplyIsFoundAfterTheIpHeaderWhateverItsLength() {
        byte[] icmp = HEX.parseHex("0000edca12340001");
        byte[] plain = concat(HEX.parseHex("45000024000000004001000a0a0000020a000001"), icmp);
        assertTrue(IcmpPackets.isEchoReply(false, plain, plain.length, 0x1234, 1));
        byte[] withOptions = concat(HEX.parseHex("46000028000000004001000a0a0000020a00000101010100"), icmp);
        assertTrue(IcmpPackets.isEchoReply(false, withOptions, withOptions.length, 0x1234, 1));
        assertFalse(IcmpPackets.isEchoReply(false, plain, plain.length, 0x1234, 2), "another sequence");
        assertFalse(IcmpPackets.isEchoReply(false, plain, plain.length, 0x1235, 1), "another identifier");
        assertFalse(IcmpPackets.isEchoReply(false, plain, plain.length - 1, 0x1234, 1), "cut short");
        byte[] request = concat(HEX.parseHex("45000024000000004001000a0a0000020a000001"), HEX.parseHex("0800e5ca12340001"));
        assertFalse(IcmpPackets.isEchoReply(false, request, request.length, 0x1234, 1), "a request is no reply");
    }

    @Test
    void ipv6ReplyHasNoIpHeader() {
        byte[] reply = HEX.parseHex("81001234abcd0007ff");
        assertTrue(IcmpPackets.isEchoReply(true, reply, reply.length, 0xabcd, 7));
        assertFalse(IcmpPackets.isEchoReply(true, reply, reply.length, 0xabcd, 8));
        assertFalse(IcmpPackets.isEchoReply(false, reply, reply.length, 0xabcd, 7), "not an IPv4 packet");
    }

    @Test
    void filterBlocksEveryTypeButTheEchoReply() {
        assertArrayEquals(new byte[] {-2, -1, -1, -1}, PingCheck.blockAllBut(1, IcmpPackets.ICMP_ECHO_REPLY));
        byte[] v6 = PingCheck.blockAllBut(8, IcmpPackets.ICMPV6_ECHO_REPLY);
        assertEquals(32, v6.length);
        assertEquals((byte) 0xfd, v6[16], "type 129 is bit 1 of word 4");
        for (int i = 0; i < 32; i++) {
            if (i != 16) {
                assertEquals((byte) 0xff, v6[i]);
            }
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] all = new byte[a.length + b.length];
        System.arraycopy(a, 0, all, 0, a.length);
        System.arraycopy(b, 0, all, a.length, b.length);
        return all;
    }
}
