package dev.podnet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.procfs.NetDevParser;
import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.TestAgent;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two namespaces joined by a veth pair exchange a known amount of TCP and UDP traffic; podnet's numbers for
 * each namespace must be the kernel's own numbers for that namespace. Namespace "a" holds a process (read
 * through /proc/&lt;pid&gt;), "b" holds none (read by entering it), so both reading paths are covered.
 */
class ProcfsTrafficIT {
    private static final int CONNECTIONS = 5;
    private static final int BYTES_PER_CONNECTION = 100_000;
    private static final int DATAGRAMS = 20;
    private static final int DATAGRAMS_TO_CLOSED_PORT = 7;

    private static NetnsLab lab;
    private static String a;
    private static String b;
    private static Scrape scrape;

    @BeforeAll
    static void exchangeTraffic() throws Exception {
        NetnsLab.assumeKernelLab();
        lab = new NetnsLab();
        a = lab.add("a");
        b = lab.add("b");
        for (String ns : new String[] {a, b}) {
            // IPv6 autoconfiguration would send its own packets at any time and move the counters we compare.
            lab.exec(ns, "sysctl", "-qw", "net.ipv6.conf.all.disable_ipv6=1", "net.ipv6.conf.default.disable_ipv6=1");
        }
        lab.veth(a, "10.233.0.1/24", b, "10.233.0.2/24");
        lab.spawn(a, "sleep", "600");
        InetAddress server = InetAddress.getByName("10.233.0.2");

        try (ServerSocket listener = lab.inNetns(b, () -> new ServerSocket(5000, 50, server));
             DatagramSocket udpServer = lab.inNetns(b, () -> new DatagramSocket(new InetSocketAddress(server, 5001)));
             DatagramSocket udpClient = lab.inNetns(a, () -> new DatagramSocket())) {
            Thread acceptor = Thread.ofPlatform().start(() -> drain(listener));
            for (int i = 0; i < CONNECTIONS; i++) {
                try (Socket s = lab.inNetns(a, () -> new Socket(server, 5000)); OutputStream out = s.getOutputStream()) {
                    out.write(new byte[BYTES_PER_CONNECTION]);
                }
            }
            acceptor.join(10_000);
            for (int i = 0; i < DATAGRAMS; i++) {
                udpClient.send(new DatagramPacket(new byte[100], 100, server, 5001));
                udpServer.receive(new DatagramPacket(new byte[200], 200));
            }
            for (int i = 0; i < DATAGRAMS_TO_CLOSED_PORT; i++) {
                udpClient.send(new DatagramPacket(new byte[10], 10, server, 5002));
            }
        }
        Thread.sleep(500); // let FINs, ACKs and ICMP port-unreachables land before we compare
        try (TestAgent agent = TestAgent.start("")) {
            scrape = agent.scrape();
        }
    }

    private static void drain(ServerSocket listener) {
        try {
            for (int i = 0; i < CONNECTIONS; i++) {
                try (Socket s = listener.accept(); InputStream in = s.getInputStream()) {
                    in.transferTo(OutputStream.nullOutputStream());
                }
            }
        } catch (Exception e) {
            throw new RuntimeException(e);
        }
    }

    @AfterAll
    static void cleanup() {
        if (lab != null) {
            lab.close();
        }
    }

    @Test
    void tcpOpensAreTheKernelsAndTheTrafficSent() throws Exception {
        assertEquals(CONNECTIONS, value(a, "podnet_snmp_tcp_active_opens_total"));
        assertEquals(kernelSnmp(a, "Tcp", "ActiveOpens"), value(a, "podnet_snmp_tcp_active_opens_total"));
        assertEquals(CONNECTIONS, value(b, "podnet_snmp_tcp_passive_opens_total"));
        assertEquals(kernelSnmp(b, "Tcp", "PassiveOpens"), value(b, "podnet_snmp_tcp_passive_opens_total"));
        assertEquals(kernelSnmp(b, "Tcp", "InSegs"), value(b, "podnet_snmp_tcp_in_segs_total"));
        assertEquals(0, value(a, "podnet_snmp_tcp_curr_estab"), "all connections closed");
    }

    @Test
    void udpDatagramsAndNoPortsAreTheKernels() throws Exception {
        assertEquals(DATAGRAMS, value(b, "podnet_snmp_udp_in_datagrams_total"));
        assertEquals(kernelSnmp(b, "Udp", "InDatagrams"), value(b, "podnet_snmp_udp_in_datagrams_total"));
        assertEquals(DATAGRAMS_TO_CLOSED_PORT, value(b, "podnet_snmp_udp_no_ports_total"));
        assertEquals(kernelSnmp(b, "Udp", "NoPorts"), value(b, "podnet_snmp_udp_no_ports_total"));
        assertEquals(kernelSnmp(a, "Udp", "OutDatagrams"), value(a, "podnet_snmp_udp_out_datagrams_total"));
    }

    @Test
    void netdevBytesAreTheKernelsForEachNamespacesOwnDevice() throws Exception {
        String[] veth = lab.lastVeth();
        Map<String, long[]> devA = kernelNetDev(a);
        Map<String, long[]> devB = kernelNetDev(b);
        int rx = NetDevParser.COLUMNS.indexOf("receive_bytes");
        int tx = NetDevParser.COLUMNS.indexOf("transmit_bytes");
        assertEquals(devA.get(veth[0])[tx], value(a, "podnet_netdev_transmit_bytes_total", "device", veth[0]));
        assertEquals(devB.get(veth[1])[rx], value(b, "podnet_netdev_receive_bytes_total", "device", veth[1]));
        assertEquals(devB.get(veth[1])[tx], value(b, "podnet_netdev_transmit_bytes_total", "device", veth[1]));
        assertTrue(value(b, "podnet_netdev_receive_bytes_total", "device", veth[1]) > CONNECTIONS * BYTES_PER_CONNECTION,
                "everything the client sent arrived on b's veth");
        assertTrue(scrape.find("podnet_netdev_receive_bytes_total", "netns", inode(a), "device", veth[1]).isEmpty(),
                "a namespace only shows its own devices");
    }

    @Test
    void bothNamespacesAreNamedAfterTheirRunNetnsMount() throws Exception {
        assertEquals(1, scrape.value("podnet_netns_info", "netns", inode(a), "name", a));
        assertEquals(1, scrape.value("podnet_netns_info", "netns", inode(b), "name", b), "a namespace with no process is reported");
        assertEquals("", scrape.find("podnet_netdev_receive_bytes_total", "netns", inode(b)).getFirst().label("pod"),
                "host mode: no pod attribution");
    }

    private static String inode(String ns) throws Exception {
        return String.valueOf(lab.inode(ns));
    }

    private static double value(String ns, String metric, String... labels) throws Exception {
        String[] match = new String[labels.length + 2];
        match[0] = "netns";
        match[1] = inode(ns);
        System.arraycopy(labels, 0, match, 2, labels.length);
        return scrape.value(metric, match);
    }

    /** A counter from the namespace's own /proc/net/snmp, read by a process inside it. */
    private static long kernelSnmp(String ns, String group, String field) {
        String[] lines = lab.procFile(ns, "net/snmp").split("\n");
        for (int i = 0; i + 1 < lines.length; i++) {
            if (lines[i].startsWith(group + ":") && lines[i + 1].startsWith(group + ":")) {
                String[] names = lines[i].split("\\s+");
                String[] values = lines[i + 1].split("\\s+");
                for (int j = 1; j < names.length; j++) {
                    if (names[j].equals(field)) {
                        return Long.parseLong(values[j]);
                    }
                }
            }
        }
        throw new AssertionError(group + " " + field + " not in " + ns + "'s net/snmp");
    }

    private static Map<String, long[]> kernelNetDev(String ns) {
        Map<String, long[]> result = new HashMap<>();
        for (NetDevParser.Device d : NetDevParser.parse(lab.procFile(ns, "net/dev")).devices()) {
            result.put(d.name(), d.values());
        }
        return result;
    }
}
