package dev.podnet.traffic;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.NetnsSockets;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.TestAgent;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The packet analysis counts exactly what tcpdump sees on the same device: resets (connects to a closed
 * port), zero windows (a receiver with a tiny buffer that never reads), the DF flag, and SYNs by window
 * scale (a normal listener, a listener with a tiny buffer that offers shift 0, a client without window
 * scaling). tcpdump runs on each end of the veth pair, one capture per direction.
 */
class PacketAnalysisIT {
    private static final Pattern WSCALE = Pattern.compile("wscale (\\d+)");
    private static final String SERVER = "10.219.0.2";

    @Test
    void resetsZeroWindowsDfAndWindowScalesAreWhatTcpdumpSees() throws Exception {
        TrafficLab.assumeTrafficLab();
        try (NetnsLab lab = new NetnsLab(); TestAgent agent = TestAgent.start("probes: [traffic]\n")) {
            String client = TrafficLab.quietNamespace(lab, "cl");
            String server = TrafficLab.quietNamespace(lab, "sv");
            lab.veth(client, "10.219.0.1/24", server, SERVER + "/24");
            String[] veth = lab.lastVeth();
            TrafficLab.awaitAttached(agent, 2);
            Scrape before = agent.scrape();
            List<Capture> captures = new ArrayList<>();
            try {
                Map<String, Capture[]> byNetns = new TreeMap<>();
                byNetns.put(TrafficLab.netns(lab, client), startBoth(captures, client, veth[0]));
                byNetns.put(TrafficLab.netns(lab, server), startBoth(captures, server, veth[1]));

                makeTraffic(lab, client, server);
                TrafficLab.awaitQuiet(lab, new String[] {client, server}, veth);

                for (Capture c : captures) {
                    c.stop();
                }
                Scrape after = agent.scrape();
                long zeroWindows = 0;
                long resets = 0;
                Map<String, Long> serverShifts = podnetWindowScales(before, after, TrafficLab.netns(lab, server), "transmit");
                Map<String, Long> clientShifts = podnetWindowScales(before, after, TrafficLab.netns(lab, client), "transmit");
                assertTrue(serverShifts.containsKey("0") && serverShifts.size() >= 2, "SYN-ACKs with shift 0 and another: "
                        + serverShifts);
                assertTrue(clientShifts.containsKey("none") && clientShifts.size() >= 2, "SYNs without the option and with: "
                        + clientShifts);
                for (Map.Entry<String, Capture[]> e : byNetns.entrySet()) {
                    String[] directions = {"receive", "transmit"};
                    for (int d = 0; d < 2; d++) {
                        Capture tcpdump = e.getValue()[d];
                        String where = "netns " + e.getKey() + " " + directions[d] + ": ";
                        long rst = tcpdump.count("tcp[tcpflags] & tcp-rst != 0");
                        long zero = tcpdump.count("tcp[14:2] = 0 and tcp[tcpflags] & (tcp-syn|tcp-rst) = 0");
                        assertEquals(rst, delta(before, after, "podnet_packet_tcp_rst_total", e.getKey(), directions[d]),
                                where + "RST segments; tcpdump saw " + tcpdump.lines("tcp[tcpflags] & tcp-rst != 0"));
                        assertEquals(zero, delta(before, after, "podnet_packet_tcp_zero_window_total", e.getKey(), directions[d]),
                                where + "zero windows");
                        assertEquals(tcpdump.count("ip[6] & 0x40 != 0"),
                                delta(before, after, "podnet_packet_ipv4_df_total", e.getKey(), directions[d]), where + "DF");
                        assertEquals(windowScales(tcpdump), podnetWindowScales(before, after, e.getKey(), directions[d]),
                                where + "SYNs by window scale");
                        zeroWindows += zero;
                        resets += rst;
                    }
                }
                assertTrue(zeroWindows >= 2, "the stalled receiver advertised zero windows: " + zeroWindows);
                assertTrue(resets >= 10, "each connect to the closed port was reset, seen on both ends: " + resets);
            } finally {
                for (Capture c : captures) {
                    c.close();
                }
            }
        }
    }

    private static Capture[] startBoth(List<Capture> all, String ns, String device) throws IOException {
        Capture in = Capture.start(ns, device, "in");
        all.add(in);
        Capture out = Capture.start(ns, device, "out");
        all.add(out);
        return new Capture[] {in, out};
    }

    private static void makeTraffic(NetnsLab lab, String client, String server) throws Exception {
        for (int i = 0; i < 5; i++) {
            try (Socket refused = NetnsSockets.connect(lab, client, SERVER, 7)) {
                throw new AssertionError("port 7 should be closed, got " + refused);
            } catch (ConnectException expected) {
                // the server's kernel answered the SYN with a RST
            }
        }
        try (ServerSocket normal = NetnsSockets.listen(lab, server, SERVER, 5400);
             Socket c = NetnsSockets.connect(lab, client, SERVER, 5400);
             Socket s = normal.accept()) {
            c.getOutputStream().write(new byte[100_000]);
            s.getInputStream().readNBytes(100_000);
        }
        stallReceiver(lab, client, server);
        lab.exec(client, "sysctl", "-qw", "net.ipv4.tcp_window_scaling=0");
        try (ServerSocket normal = NetnsSockets.listen(lab, server, SERVER, 5402);
             Socket c = NetnsSockets.connect(lab, client, SERVER, 5402);
             Socket s = normal.accept()) {
            c.getOutputStream().write(1);
            s.getInputStream().read();
        } finally {
            lab.exec(client, "sysctl", "-qw", "net.ipv4.tcp_window_scaling=1");
        }
        Thread.sleep(300); // FINs and their ACKs
    }

    /** A listener with a 4 KiB receive buffer (window scale 0) whose application never reads. */
    private static void stallReceiver(NetnsLab lab, String client, String server) throws Exception {
        try (ServerSocket tiny = lab.inNetns(server, () -> {
            ServerSocket s = new ServerSocket();
            s.setReceiveBufferSize(4096);
            s.bind(new InetSocketAddress(SERVER, 5401));
            return s;
        })) {
            Socket c = NetnsSockets.connect(lab, client, SERVER, 5401);
            Socket s = tiny.accept();
            Thread writer = Thread.ofPlatform().daemon().start(() -> {
                try (OutputStream out = c.getOutputStream()) {
                    out.write(new byte[1_000_000]);
                } catch (IOException e) {
                    // closed under it: the point was the zero window before
                }
            });
            Thread.sleep(1500); // the window closes, the sender probes it
            s.setSoLinger(true, 0);
            s.close();
            c.close();
            writer.join(5000);
        }
    }

    private static double delta(Scrape before, Scrape after, String metric, String netns, String direction) {
        return after.sum(metric, "netns", netns, "direction", direction) - before.sum(metric, "netns", netns, "direction", direction);
    }

    private static Map<String, Long> windowScales(Capture tcpdump) {
        Map<String, Long> byShift = new TreeMap<>();
        for (String line : tcpdump.lines("tcp[tcpflags] & tcp-syn != 0")) {
            Matcher m = WSCALE.matcher(line);
            byShift.merge(m.find() ? m.group(1) : "none", 1L, Long::sum);
        }
        return byShift;
    }

    private static Map<String, Long> podnetWindowScales(Scrape before, Scrape after, String netns, String direction) {
        Map<String, Long> byShift = new TreeMap<>();
        for (Scrape.Series s : after.find("podnet_packet_tcp_window_scale_total", "netns", netns, "direction", direction)) {
            String shift = s.label("shift");
            long n = (long) (s.value() - before.sum("podnet_packet_tcp_window_scale_total", "netns", netns, "direction",
                    direction, "shift", shift));
            if (n != 0) {
                byShift.put(shift, n);
            }
        }
        return byShift;
    }
}
