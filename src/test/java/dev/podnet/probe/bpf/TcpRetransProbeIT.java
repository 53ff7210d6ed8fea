package dev.podnet.probe.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.TestAgent;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class TcpRetransProbeIT {
    private static final int PORT = 5201;
    private static final int BYTES = 1 << 20;

    @BeforeAll
    static void kernel() {
        BpfProbeLab.assumeBpf();
    }

    @Test
    void lossMakesRetransmitsInTheSendersNamespaceBoundedByRetransSegs() throws Exception {
        try (NetnsLab lab = new NetnsLab(); TestAgent agent = TestAgent.start("probes: [tcpretrans]\n")) {
            String[] ns = BpfProbeLab.pair(lab, 1);
            String sender = ns[0];
            String receiver = ns[1];
            // 30% of what reaches the receiver on our port is lost: data and the sender's SYN alike
            lab.nft(receiver, "inet", "pnloss", """
                    table inet pnloss {
                      chain input {
                        type filter hook input priority 0; policy accept;
                        tcp dport %d numgen random mod 100 < 30 drop
                      }
                    }
                    """.formatted(PORT));
            try (ServerSocket server = BpfProbeLab.listen(lab, receiver, "10.212.1.2", PORT)) {
                CompletableFuture<Long> received = CompletableFuture.supplyAsync(() -> drain(server));
                Socket client = BpfProbeLab.connect(lab, sender, "10.212.1.2", PORT);
                try (OutputStream out = client.getOutputStream()) {
                    out.write(new byte[BYTES]);
                }
                assertEquals(BYTES, received.get());
            }
            Scrape scrape = agent.scrape();
            String inode = BpfProbeLab.netns(lab, sender);
            double retransmits = scrape.sum("podnet_tcp_retransmits_total", "netns", inode);
            long retransSegs = retransSegs(lab.procFile(sender, "net/snmp"));
            System.out.printf("sender: podnet_tcp_retransmits_total %.0f, RetransSegs %d; by state %s%n",
                    retransmits, retransSegs, scrape.find("podnet_tcp_retransmits_total", "netns", inode));
            assertTrue(retransmits > 0, "loss caused retransmits:\n" + scrape.text());
            assertTrue(retransmits <= retransSegs, retransmits + " retransmitted skbs, but RetransSegs is " + retransSegs);
            assertEquals(1, scrape.value("podnet_probe_up", "probe", "tcpretrans"));
            assertEquals(16384, scrape.value("podnet_bpf_map_max_entries", "probe", "tcpretrans", "map", "retransmits"));
            assertTrue(scrape.value("podnet_bpf_map_entries", "probe", "tcpretrans", "map", "retransmits") >= 1);
        }
    }

    private static long drain(ServerSocket server) {
        try (Socket accepted = server.accept(); InputStream in = accepted.getInputStream()) {
            return in.transferTo(OutputStream.nullOutputStream());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** Tcp RetransSegs from /proc/net/snmp (header line, then value line). */
    static long retransSegs(String snmp) {
        String[] header = null;
        for (String line : snmp.split("\n")) {
            if (!line.startsWith("Tcp:")) {
                continue;
            }
            String[] fields = line.trim().split("\\s+");
            if (header == null) {
                header = fields;
            } else {
                for (int i = 1; i < header.length; i++) {
                    if (header[i].equals("RetransSegs")) {
                        return Long.parseLong(fields[i]);
                    }
                }
            }
        }
        throw new AssertionError("no Tcp RetransSegs in " + snmp);
    }
}
