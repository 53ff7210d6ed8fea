package dev.podnet.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A pod-like namespace joined to the test's own namespace (the "node") by a veth pair, both ends with an
 * IPv4 and an IPv6 address (nodad: usable at once). The subnet is picked at random among those the node
 * has no route for, so parallel runs and the host's own networks are left alone. The host end, and any
 * route added through {@link #blackhole}, are removed on close, also after a failure; the pod end goes
 * with the namespace.
 */
public final class HostPodLink implements AutoCloseable {
    public final String pod;
    public final String hostDevice;
    public final String podDevice;
    public final String nodeIp4;
    public final String podIp4;
    public final String nodeIp6;
    public final String podIp6;
    public final int subnet;
    private final List<List<String>> cleanup = new ArrayList<>();

    private HostPodLink(NetnsLab lab) {
        this.pod = lab.add("pod");
        this.hostDevice = lab.prefix() + "h";
        this.podDevice = lab.prefix() + "p";
        int n;
        do {
            n = ThreadLocalRandom.current().nextInt(1, 255);
        } while (!Sh.run("ip", "-4", "route", "show", "10.248." + n + ".0/24").isBlank()
                || !Sh.run("ip", "-6", "route", "show", "fd48:1:" + Integer.toHexString(n) + "::/64").isBlank());
        this.subnet = n;
        String v6 = "fd48:1:" + Integer.toHexString(n) + "::";
        nodeIp4 = "10.248." + n + ".1";
        podIp4 = "10.248." + n + ".2";
        nodeIp6 = v6 + "1";
        podIp6 = v6 + "2";
    }

    public static HostPodLink create(NetnsLab lab) {
        HostPodLink link = new HostPodLink(lab);
        try {
            link.setUp(lab);
            return link;
        } catch (RuntimeException | Error e) {
            link.close();
            throw e;
        }
    }

    private void setUp(NetnsLab lab) {
        cleanup.add(List.of("ip", "link", "del", hostDevice));
        Sh.run("ip", "link", "add", hostDevice, "type", "veth", "peer", "name", podDevice, "netns", pod);
        Sh.run("ip", "addr", "add", nodeIp4 + "/24", "dev", hostDevice);
        Sh.run("ip", "-6", "addr", "add", nodeIp6 + "/64", "dev", hostDevice, "nodad");
        Sh.run("ip", "link", "set", hostDevice, "up");
        lab.exec(pod, "ip", "addr", "add", podIp4 + "/24", "dev", podDevice);
        lab.exec(pod, "ip", "-6", "addr", "add", podIp6 + "/64", "dev", podDevice, "nodad");
        lab.exec(pod, "ip", "link", "set", podDevice, "up");
    }

    /** An address on the pod's subnet that nobody answers for: ARP for it goes unanswered. */
    public String silentIp4() {
        return "10.248." + subnet + ".99";
    }

    /** Routes {@code cidr} of the node into a blackhole (removed on close). */
    public void blackhole(String cidr) {
        Sh.run("ip", "route", "add", "blackhole", cidr);
        cleanup.add(List.of("ip", "route", "del", "blackhole", cidr));
    }

    @Override
    public void close() {
        for (List<String> command : cleanup.reversed()) {
            Sh.tryRun(command);
        }
    }
}
