package dev.podnet.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.Sh;
import java.net.InetAddress;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** RTM_GETROUTE answers agree with {@code ip route get} in a namespace with an on-link, a gateway and a blackhole route. */
class RouteLookupIT {
    private static final Pattern DEV = Pattern.compile(" dev (\\S+)");
    private static final Pattern SRC = Pattern.compile(" src (\\S+)");
    private static final Pattern VIA = Pattern.compile(" via (\\S+)");

    @Test
    void agreesWithIpRouteGet() throws Exception {
        NetnsLab.assumeKernelLab();
        try (NetnsLab lab = new NetnsLab()) {
            String a = lab.add("routes");
            lab.veth(a, "10.252.3.1/24", lab.add("peer"), "10.252.3.2/24");
            String dev = lab.lastVeth()[0];
            lab.exec(a, "ip", "route", "add", "10.252.9.0/24", "via", "10.252.3.2");
            lab.exec(a, "ip", "route", "add", "blackhole", "10.252.10.0/24");
            int ifindex = Integer.parseInt(lab.exec(a, "cat", "/sys/class/net/" + dev + "/ifindex").strip());
            try (NetlinkSocket socket = lab.inNetns(a, () -> NetlinkSocket.open(NetlinkSocket.NETLINK_ROUTE))) {
                for (String target : List.of("10.252.3.2", "10.252.3.77", "10.252.9.5")) {
                    String ip = lab.exec(a, "ip", "route", "get", target);
                    RouteLookup.Route route = RouteLookup.lookup(socket, InetAddress.ofLiteral(target));
                    System.out.printf("%s: ip says %s-> %s%n", target, ip.lines().findFirst().orElse(""), route);
                    assertEquals(dev, find(DEV, ip));
                    assertEquals(ifindex, route.outputInterface());
                    assertEquals(find(SRC, ip), route.preferredSource().getHostAddress());
                    String via = find(VIA, ip);
                    assertEquals(via, route.gateway() == null ? null : route.gateway().getHostAddress());
                    assertEquals(RouteLookup.Route.RTN_UNICAST, route.type());
                }
                assertEquals(RouteLookup.Route.RTN_LOCAL, RouteLookup.lookup(socket, InetAddress.ofLiteral("10.252.3.1")).type());
                assumeTrue(Sh.tryRun(List.of("ip", "netns", "exec", a, "ip", "route", "get", "10.252.10.1")).exit() != 0,
                        "this kernel answers route lookups to a blackhole");
                assertThrows(NetlinkException.class, () -> RouteLookup.lookup(socket, InetAddress.ofLiteral("10.252.10.1")),
                        "a blackhole route is refused, as ip route get shows");
            }
        }
    }

    private static String find(Pattern p, String text) {
        Matcher m = p.matcher(text);
        return m.find() ? m.group(1) : null;
    }
}
