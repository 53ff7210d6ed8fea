package dev.podnet.probe.bpf;

import dev.podnet.netns.NetnsEnterer;
import dev.podnet.probe.Probe;
import dev.podnet.probe.ProbeContext;
import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.Sh;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ProtocolFamily;
import java.nio.channels.SocketChannel;
import java.nio.file.Path;
import java.util.Map;

/** What the BPF event tests share: probes started with a capturing emitter, IPv6 on a lab pair, refused connects. */
final class KernelEventLab {
    private KernelEventLab() {
    }

    /** Starts the probe as the agent would, its events going to {@code events}. */
    static <P extends Probe> P start(P probe, CapturedEvents events, Map<String, Object> settings) throws Exception {
        probe.start(new ProbeContext(Path.of("/proc"), new NetnsEnterer(Path.of("/proc")), settings, events));
        return probe;
    }

    /** Adds fd00:212:&lt;subnet&gt;::1 and ::2 to the last veth pair of {@code ns} (no duplicate address detection). */
    static void ipv6(NetnsLab lab, String[] ns, int subnet) {
        String[] devices = lab.lastVeth();
        Sh.run("ip", "-n", ns[0], "addr", "add", "fd00:212:" + subnet + "::1/64", "dev", devices[0], "nodad");
        Sh.run("ip", "-n", ns[1], "addr", "add", "fd00:212:" + subnet + "::2/64", "dev", devices[1], "nodad");
    }

    /**
     * A connect from {@code local} (address and port fixed, so the test knows the tuple) to a port where
     * nothing listens; {@code family} null for java.net's dual-stack socket (IPv4 then travels as
     * IPv4-mapped IPv6 addresses inside the kernel's socket). Port 0 in {@code local}: an ephemeral one.
     *
     * @return the local port
     */
    static int refusedConnect(NetnsLab lab, String ns, ProtocolFamily family, InetSocketAddress local,
                               InetSocketAddress target) throws Exception {
        return lab.inNetns(ns, () -> {
            try (SocketChannel channel = family == null ? SocketChannel.open() : SocketChannel.open(family)) {
                channel.bind(local);
                int port = ((InetSocketAddress) channel.getLocalAddress()).getPort();
                try {
                    channel.connect(target);
                } catch (ConnectException expected) {
                    return port;
                }
                throw new AssertionError("connected to " + target + ", where nothing should listen");
            }
        });
    }
}
