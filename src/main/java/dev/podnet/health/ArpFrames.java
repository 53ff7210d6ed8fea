package dev.podnet.health;

import java.net.Inet4Address;

/**
 * ARP packets for IPv4 over Ethernet (RFC 826), pure. The link-layer header is not ours to build: the
 * AF_PACKET socket is SOCK_DGRAM, so the kernel adds the Ethernet header from the destination we give it
 * and strips it from what we receive.
 */
final class ArpFrames {
    static final int BYTES = 28;
    static final int ARPHRD_ETHER = 1;
    static final int ETH_P_IP = 0x0800;
    static final int ARPOP_REQUEST = 1;
    static final int ARPOP_REPLY = 2;
    static final byte[] BROADCAST = {-1, -1, -1, -1, -1, -1};

    private ArpFrames() {
    }

    /**
     * A request for {@code target} from {@code senderMac}. A null {@code senderIp} sends 0.0.0.0, an
     * RFC 5227 probe: it needs no address on the link and asks the target not to cache ours, and Linux
     * answers it as any request. The target hardware address is left zero, as the request does not know it.
     */
    static byte[] request(byte[] senderMac, Inet4Address senderIp, Inet4Address target) {
        if (senderMac.length != 6) {
            throw new IllegalArgumentException("an Ethernet address has 6 bytes, not " + senderMac.length);
        }
        byte[] p = new byte[BYTES];
        IcmpPackets.putU16(p, 0, ARPHRD_ETHER);
        IcmpPackets.putU16(p, 2, ETH_P_IP);
        p[4] = 6;
        p[5] = 4;
        IcmpPackets.putU16(p, 6, ARPOP_REQUEST);
        System.arraycopy(senderMac, 0, p, 8, 6);
        if (senderIp != null) {
            System.arraycopy(senderIp.getAddress(), 0, p, 14, 4);
        }
        System.arraycopy(target.getAddress(), 0, p, 24, 4);
        return p;
    }

    /** Whether {@code packet} (its first {@code length} bytes) is an Ethernet/IPv4 ARP reply sent by {@code target}. */
    static boolean isReplyFrom(byte[] packet, int length, Inet4Address target) {
        if (length < BYTES || IcmpPackets.u16(packet, 0) != ARPHRD_ETHER || IcmpPackets.u16(packet, 2) != ETH_P_IP
                || packet[4] != 6 || packet[5] != 4 || IcmpPackets.u16(packet, 6) != ARPOP_REPLY) {
            return false;
        }
        byte[] ip = target.getAddress();
        for (int i = 0; i < 4; i++) {
            if (packet[14 + i] != ip[i]) {
                return false;
            }
        }
        return true;
    }
}
