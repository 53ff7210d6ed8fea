package dev.podnet.netlink;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The route the kernel would take to one address, as {@code ip route get} asks for it: an RTM_GETROUTE
 * request (not a dump) answered with one RTM_NEWROUTE. This is the exact answer, policy rules and all,
 * where reading the routing table ourselves would only approximate it.
 */
public final class RouteLookup {
    static final int RTM_NEWROUTE = 24;
    static final int RTM_GETROUTE = 26;
    static final NetlinkMessages.DumpKind ROUTE_GET =
            new NetlinkMessages.DumpKind(RTM_GETROUTE, "RTM_GETROUTE", RTM_NEWROUTE, "RTM_NEWROUTE");
    /** sizeof(struct rtmsg): family, dst_len, src_len, tos, table, protocol, scope, type, then u32 flags. */
    static final int RTMSG_BYTES = 12;
    static final int RTA_DST = 1;
    static final int RTA_OIF = 4;
    static final int RTA_GATEWAY = 5;
    static final int RTA_PREFSRC = 7;
    static final int AF_INET = 2;
    static final int AF_INET6 = 10;

    private RouteLookup() {
    }

    /**
     * The route to one address.
     *
     * @param type            {@code RTN_*}: 1 unicast, 2 local (an address of this namespace), 6 blackhole ...
     * @param outputInterface ifindex of the device packets leave through, 0 if the answer named none
     * @param gateway         the next hop, or null when the address is on the link itself
     * @param preferredSource the source address the kernel would pick (RTA_PREFSRC), or null
     */
    public record Route(int type, int outputInterface, InetAddress gateway, InetAddress preferredSource) {
        public static final int RTN_UNICAST = 1;
        public static final int RTN_LOCAL = 2;
    }

    /**
     * Asks the socket's namespace for its route to {@code destination}.
     *
     * @throws NetlinkException when the kernel has no usable route (e.g. ENETUNREACH, or EINVAL for a blackhole)
     */
    public static Route lookup(NetlinkSocket socket, InetAddress destination) throws IOException {
        Route[] found = new Route[1];
        socket.get(ROUTE_GET, request(destination), payload -> found[0] = parse(payload));
        if (found[0] == null) {
            throw new MalformedNetlinkException("RTM_GETROUTE for " + destination.getHostAddress() + ": no RTM_NEWROUTE answer");
        }
        return found[0];
    }

    /** The payload of the request: an rtmsg for a host route of the address's family, and RTA_DST. */
    static byte[] request(InetAddress destination) {
        byte[] address = destination.getAddress();
        boolean v4 = destination instanceof Inet4Address;
        int attribute = 4 + address.length; // 8 or 20: already RTA_ALIGNed
        ByteBuffer b = ByteBuffer.allocate(RTMSG_BYTES + attribute).order(ByteOrder.LITTLE_ENDIAN);
        b.put((byte) (v4 ? AF_INET : AF_INET6)).put((byte) (address.length * 8));
        b.position(RTMSG_BYTES);
        b.putShort((short) attribute).putShort((short) RTA_DST).put(address);
        return b.array();
    }

    /** One RTM_NEWROUTE payload: rtmsg, then attributes, of which RTA_OIF, RTA_GATEWAY and RTA_PREFSRC are read. */
    public static Route parse(MemorySegment payload) throws MalformedNetlinkException {
        if (payload.byteSize() < RTMSG_BYTES) {
            throw new MalformedNetlinkException("truncated RTM_NEWROUTE message: rtmsg has " + payload.byteSize()
                    + " bytes, needs " + RTMSG_BYTES);
        }
        int type = NetlinkBytes.u8(payload, 7);
        MemorySegment[] attrs = NetlinkAttributes.index(payload.asSlice(RTMSG_BYTES), RTA_PREFSRC, "RTM_NEWROUTE");
        int oif = attrs[RTA_OIF] != null && attrs[RTA_OIF].byteSize() >= 4 ? NetlinkBytes.s32(attrs[RTA_OIF], 0) : 0;
        return new Route(type, oif, address(attrs[RTA_GATEWAY]), address(attrs[RTA_PREFSRC]));
    }

    private static InetAddress address(MemorySegment attribute) throws MalformedNetlinkException {
        if (attribute == null) {
            return null;
        }
        try {
            return InetAddress.getByAddress(attribute.toArray(ValueLayout.JAVA_BYTE));
        } catch (UnknownHostException e) {
            throw new MalformedNetlinkException("RTM_NEWROUTE: an address attribute of " + attribute.byteSize() + " bytes");
        }
    }
}
