package dev.podnet.health;

import dev.podnet.probe.IpText;

import java.net.InetAddress;

/** Addresses as people and servers write them: IPv6 in the RFC 5952 form (fd00::5, not fd00:0:0:0:0:0:0:5). */
final class Addresses {
    private Addresses() {
    }

    /** The address without a zone; IPv6 with its longest run of two or more zero groups (the first, on a tie) as "::". */
    static String literal(InetAddress address) {
        return IpText.literal(address);
    }
}
