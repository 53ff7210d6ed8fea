package dev.podnet.health;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.HexFormat;
import org.junit.jupiter.api.Test;

class ArpFramesTest {
    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] MAC = HEX.parseHex("020000aabbcc");
    private static final Inet4Address NODE = (Inet4Address) InetAddress.ofLiteral("10.9.0.1");
    private static final Inet4Address POD = (Inet4Address) InetAddress.ofLiteral("10.9.0.2");

    @Test
    void requestAsArpingSendsIt() {
        // Ethernet (1), IPv4 (0800), lengths 6 and 4, request (1), sender MAC and IP, target MAC unknown, target IP
        assertArrayEquals(HEX.parseHex("0001080006040001" + "020000aabbcc" + "0a090001" + "000000000000" + "0a090002"),
                ArpFrames.request(MAC, NODE, POD));
    }

    @Test
    void withoutASourceAddressItIsAnRfc5227Probe() {
        assertArrayEquals(HEX.parseHex("0001080006040001" + "020000aabbcc" + "00000000" + "000000000000" + "0a090002"),
                ArpFrames.request(MAC, null, POD));
        assertThrows(IllegalArgumentException.class, () -> ArpFrames.request(new byte[8], NODE, POD));
    }

    @Test
    void replyFromThePod() {
        // as Linux answers: reply (2), the pod's MAC and IP as sender, ours as target; padded to the Ethernet minimum
        byte[] reply = HEX.parseHex("0001080006040002" + "0200001122330a090002" + "020000aabbcc0a090001" + "000000000000000000");
        assertTrue(ArpFrames.isReplyFrom(reply, reply.length, POD));
        assertFalse(ArpFrames.isReplyFrom(reply, reply.length, NODE), "sent by another address");
        assertFalse(ArpFrames.isReplyFrom(reply, 27, POD), "cut short");
        byte[] request = ArpFrames.request(MAC, POD, NODE);
        assertFalse(ArpFrames.isReplyFrom(request, request.length, POD), "a request from the pod is no reply");
        byte[] otherProtocol = reply.clone();
        otherProtocol[3] = 0x06;
        assertFalse(ArpFrames.isReplyFrom(otherProtocol, otherProtocol.length, POD), "not IPv4");
    }
}
