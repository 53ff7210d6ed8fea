package dev.podnet.probe.procfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.Sh;
import dev.podnet.testing.TestAgent;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The procfs probes on this kernel, against real namespaces, real processes and real traffic. */
class ProcfsProbesIT {
    private static final String ALL = "snmp, snmp6, netstat, sockstat, softnet, conntrack, fd, io";

    @BeforeAll
    static void root() {
        NetnsLab.assumeKernelLab();
    }

    @Test
    void fdAndIoOfAProcessHoldingKnownSocketsInItsOwnNamespace() throws Exception {
        String python = Files.isExecutable(Path.of("/usr/bin/python3")) ? "/usr/bin/python3" : null;
        assumeTrue(python != null, "needs /usr/bin/python3 to hold sockets open");
        Path ready = Files.createTempFile("podnet-fd-ready", "");
        Files.delete(ready);
        try (NetnsLab lab = new NetnsLab()) {
            String ns = lab.add("fd");
            // 5 sockets (3 TCP, 2 UDP), 1000 writes of 4 KiB, then idle
            String script = "import os, socket, time\n"
                    + "s = [socket.socket(socket.AF_INET, socket.SOCK_STREAM) for _ in range(3)]\n"
                    + "s += [socket.socket(socket.AF_INET, socket.SOCK_DGRAM) for _ in range(2)]\n"
                    + "fd = os.open('/dev/null', os.O_WRONLY)\n"
                    + "buf = b'x' * 4096\n"
                    + "for _ in range(1000): os.write(fd, buf)\n"
                    + "open('" + ready + "', 'w').close()\n"
                    + "time.sleep(300)\n";
            Process p = lab.spawn(ns, python, "-c", script);
            for (int i = 0; i < 100 && !Files.exists(ready); i++) {
                Thread.sleep(100);
            }
            assertTrue(Files.exists(ready), "the python process got ready");
            String netns = Long.toString(lab.inode(ns));
            Path pidDir = Path.of("/proc", Long.toString(p.pid()));

            try (TestAgent agent = TestAgent.start("probes: [fd, io]\nkubernetes: off\n")) {
                Scrape s = agent.scrape();
                assertEquals(5, s.value("podnet_fd_sockets", "netns", netns));
                long open;
                try (Stream<Path> fds = Files.list(pidDir.resolve("fd"))) {
                    open = fds.count();
                }
                assertEquals(open, s.value("podnet_fd_open", "netns", netns), "all descriptors of the only process");
                assertTrue(open >= 9, "stdio, 5 sockets, /dev/null: " + open);

                String io = Files.readString(pidDir.resolve("io"));
                double wchar = s.value("podnet_io_wchar_bytes_total", "netns", netns);
                assertEquals(field(io, "wchar"), wchar, "the process is idle: same as its own io file");
                assertTrue(wchar >= 4096 * 1000, "1000 writes of 4 KiB: " + wchar);
                assertTrue(s.value("podnet_io_syscw_total", "netns", netns) >= 1000);
                assertEquals(field(io, "syscr"), s.value("podnet_io_syscr_total", "netns", netns));
                assertEquals(0, s.value("podnet_probe_errors_total", "probe", "fd"));
            }
        } finally {
            Files.deleteIfExists(ready);
        }
    }

    @Test
    void mibCountersOfAFreshNamespaceMatchTheTrafficSentInIt() throws Exception {
        try (NetnsLab lab = new NetnsLab()) {
            String ns = lab.add("snmp");
            // 7 TCP connects to a closed port (each answered by a reset), 3 UDP datagrams to a closed port
            lab.exec(ns, "bash", "-c", "for i in 1 2 3 4 5 6 7; do (exec 3<>/dev/tcp/127.0.0.1/9) 2>/dev/null; done;"
                    + " for i in 1 2 3; do echo x > /dev/udp/127.0.0.1/9; done; true");
            String netns = Long.toString(lab.inode(ns));
            String snmp = lab.procFile(ns, "net/snmp");

            try (TestAgent agent = TestAgent.start("probes: [" + ALL + "]\nkubernetes: off\n")) {
                Scrape s = agent.scrape();
                assertEquals(7, s.value("podnet_snmp_tcp_active_opens_total", "netns", netns));
                assertEquals(7, s.value("podnet_snmp_tcp_attempt_fails_total", "netns", netns));
                assertEquals(3, s.value("podnet_snmp_udp_no_ports_total", "netns", netns));
                assertEquals(mib(snmp, "Tcp", "OutRsts"), s.value("podnet_snmp_tcp_out_rsts_total", "netns", netns));
                assertEquals(mib(snmp, "Ip", "InReceives"), s.value("podnet_snmp_ip_in_receives_total", "netns", netns));
                assertEquals(3, s.value("podnet_snmp_icmpmsg_out_type3_total", "netns", netns), "port unreachable x3");
                assertEquals(0, s.value("podnet_snmp_tcp_curr_estab", "netns", netns));
                assertEquals(0, s.value("podnet_sockstat_tcp_inuse", "netns", netns));
                for (String probe : ALL.split(", ")) {
                    assertEquals(0, s.value("podnet_probe_errors_total", "probe", probe), probe + ": " + agent.get("/status"));
                    assertEquals(0, s.value("podnet_parse_errors_total", "probe", probe), probe);
                }
                assertEquals(1, s.find("podnet_sockstat_tcp_alloc").size(), "host-wide, once");
                Path max = Path.of("/proc/sys/net/netfilter/nf_conntrack_max");
                if (Files.exists(max)) {
                    assertEquals(Double.parseDouble(Files.readString(max).strip()), s.value("podnet_conntrack_max"));
                }
                assertEquals(Runtime.getRuntime().availableProcessors(), s.find("podnet_softnet_processed_total").size());
                promtoolAccepts(s.text());
            }
        }
    }

    private static void promtoolAccepts(String exposition) throws Exception {
        if (!Sh.available("promtool")) {
            return; // promtool is optional here: it only lints the names
        }
        Process p = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        p.getOutputStream().write(exposition.getBytes(StandardCharsets.UTF_8));
        p.getOutputStream().close();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        List<String> ours = out.lines().filter(l -> Stream.of(ALL.split(", "))
                .anyMatch(probe -> l.startsWith("podnet_" + probe + "_"))).toList();
        assertEquals(List.of(), ours, "promtool lint of podnet metrics:\n" + out);
    }

    private static double field(String io, String name) {
        return io.lines().filter(l -> l.startsWith(name + ":")).mapToDouble(l -> Double.parseDouble(l.substring(name.length() + 1).strip()))
                .findFirst().orElseThrow();
    }

    /** A value of /proc/net/snmp, read the plain way (not with the parser under test). */
    private static double mib(String snmp, String group, String field) {
        List<String> lines = snmp.lines().filter(l -> l.startsWith(group + ": ")).toList();
        List<String> names = List.of(lines.get(0).split("\\s+"));
        String[] values = lines.get(1).split("\\s+");
        return Double.parseDouble(values[names.indexOf(field)]);
    }
}
