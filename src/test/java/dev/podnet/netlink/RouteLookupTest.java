package dev.podnet.netlink;

import static dev.podnet.netlink.Fixtures.attr;
import static dev.podnet.netlink.Fixtures.concat;
import static dev.podnet.netlink.Fixtures.segment;
import static dev.podnet.netlink.Fixtures.struct;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

class RouteLookupTest {

    private static byte[] rtmsg(int family, int dstLen, int type) {
        return struct(RouteLookup.RTMSG_BYTES, b -> b.put((byte) family).put((byte) dstLen).put((byte) 0).put((byte) 0)
                .put((byte) 254).put((byte) 0).put((byte) 0).put((byte) type).putInt(0x200));
    }

    private static byte[] u32(int type, int value) {
        return attr(type, struct(4, b -> b.putInt(value)));
    }

    @Test
    void requestIsAHostRouteOfTheAddressFamilyWithRtaDst() throws Exception {
        assertArrayEquals(concat(struct(12, b -> b.put((byte) 2).put((byte) 32)), attr(RouteLookup.RTA_DST,
                        InetAddress.ofLiteral("10.1.2.3").getAddress())),
                RouteLookup.request(InetAddress.ofLiteral("10.1.2.3")));
        byte[] v6 = RouteLookup.request(InetAddress.ofLiteral("fd00::7"));
        assertEquals(10, v6[0]);
        assertEquals((byte) 128, v6[1]);
        assertEquals(12 + 20, v6.length);
    }

    @Test
    void onLinkRouteHasAnInterfaceAndPreferredSourceButNoGateway() throws Exception {
        var route = RouteLookup.parse(segment(concat(rtmsg(2, 32, 1), u32(15, 254),
                attr(RouteLookup.RTA_DST, InetAddress.ofLiteral("10.9.0.2").getAddress()), u32(RouteLookup.RTA_OIF, 7),
                attr(RouteLookup.RTA_PREFSRC, InetAddress.ofLiteral("10.9.0.1").getAddress()), u32(18, 0))));
        assertEquals(new RouteLookup.Route(RouteLookup.Route.RTN_UNICAST, 7, null, InetAddress.ofLiteral("10.9.0.1")), route);
    }

    @Test
    void gatewayAndLocalType() throws Exception {
        var viaGateway = RouteLookup.parse(segment(concat(rtmsg(10, 128, 1), u32(RouteLookup.RTA_OIF, 2),
                attr(RouteLookup.RTA_GATEWAY, InetAddress.ofLiteral("fe80::1").getAddress()))));
        assertEquals(InetAddress.ofLiteral("fe80::1"), viaGateway.gateway());
        assertEquals(null, viaGateway.preferredSource());
        assertEquals(RouteLookup.Route.RTN_LOCAL, RouteLookup.parse(segment(rtmsg(2, 32, 2))).type());
    }

    @Test
    void truncatedAnswersAreMalformed() {
        assertThrows(MalformedNetlinkException.class, () -> RouteLookup.parse(segment(new byte[8])));
        assertThrows(MalformedNetlinkException.class, () -> RouteLookup.parse(segment(concat(rtmsg(2, 32, 1),
                struct(4, b -> b.putShort((short) 40).putShort((short) RouteLookup.RTA_OIF))))));
    }
}
