package dev.podnet.probe.netlink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.Sh;
import dev.podnet.testing.TestAgent;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.ServerSocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The netlink probes' series, as exposed, pass promtool's metric lint. */
class NetlinkExpositionIT {
    @BeforeAll
    static void root() {
        NetnsLab.assumeKernelLab();
        assumeTrue(Sh.available("promtool"), "needs promtool (prometheus package)");
    }

    @Test
    void promtoolAcceptsTheExposition() throws Exception {
        try (NetnsLab lab = new NetnsLab(); TestAgent agent = TestAgent.start("probes: [tcpsummary, qdisc]\n")) {
            String ns = lab.add("lint");
            lab.veth(ns, "10.241.5.1/24", lab.add("lintpeer"), "10.241.5.2/24");
            lab.exec(ns, "tc", "qdisc", "add", "dev", lab.lastVeth()[0], "root", "handle", "1:", "htb");
            try (ServerSocketChannel listener = lab.inNetns(ns, () -> ServerSocketChannel.open(StandardProtocolFamily.INET)
                    .bind(new InetSocketAddress("10.241.5.1", 0)))) {
                String text = agent.get("/metrics");
                assertTrue(text.contains("podnet_qdisc_bytes_total{"), "qdisc series present");
                assertTrue(text.contains("podnet_tcp_sockets{"), "tcp series present");
                Process p = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
                p.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
                p.getOutputStream().close();
                String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertTrue(p.waitFor(60, TimeUnit.SECONDS));
                String ours = out.lines().filter(l -> l.contains("podnet_tcp") || l.contains("podnet_qdisc"))
                        .reduce("", (a, b) -> a + b + "\n");
                assertEquals("", ours, "promtool findings on the netlink probes' metrics:\n" + out);
            }
        }
    }
}
