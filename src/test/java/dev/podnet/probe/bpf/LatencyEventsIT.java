package dev.podnet.probe.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.probe.EventTypes;
import dev.podnet.probe.ProbeEvent;
import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.NetnsSockets;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SOFTIRQ_SLOW and TX_LATENCY_SLOW with a threshold every softirq and packet exceeds (1 ns), attached all
 * the time and timing every event: the events then come with real traffic, with the fields of what was
 * timed.
 */
@Timeout(120)
class LatencyEventsIT {
    private static final int PORT = 6021;
    private static final Map<String, Object> EVERY_EVENT = Map.of("eventThreshold", "1ns", "window", "none", "sampleEvery", 1);

    @BeforeAll
    static void kernel() {
        BpfProbeLab.assumeBpf();
    }

    @Test
    void softirqsOverTheThresholdAreEventsWithTheirTypePhaseAndCpu() throws Exception {
        CapturedEvents events = new CapturedEvents();
        try (NetnsLab lab = new NetnsLab();
             SoftirqProbe probe = KernelEventLab.start(new SoftirqProbe(), events, EVERY_EVENT)) {
            String[] ns = BpfProbeLab.pair(lab, 27);
            stream(lab, ns, "10.212.27.2");
            List<ProbeEvent> slow = events.await(e -> e.type().equals(EventTypes.SOFTIRQ_SLOW)
                    && "net_rx".equals(e.fields().get("softirq")) && "run".equals(e.fields().get("phase")), 1, "slow NET_RX runs");
            ProbeEvent e = slow.getFirst();
            assertEquals("softirq", e.probe());
            assertEquals(0, e.netns(), "softirqs are node-wide");
            assertTrue((double) e.fields().get("latency_seconds") > 0, e.toString());
            assertTrue((int) e.fields().get("cpu") >= 0 && (int) e.fields().get("cpu") < Runtime.getRuntime().availableProcessors(),
                    e.toString());
            assertTrue(e.message().matches("NET_RX softirq on CPU \\d+ ran .+, over the threshold of 1 ns"), e.message());
        }
    }

    @Test
    void transmitsOverTheThresholdAreEventsWithTheirDevicePhaseAndPacket() throws Exception {
        CapturedEvents events = new CapturedEvents();
        try (NetnsLab lab = new NetnsLab();
             NetifTxProbe probe = KernelEventLab.start(new NetifTxProbe(), events, EVERY_EVENT)) {
            String[] ns = BpfProbeLab.pair(lab, 28);
            long client = lab.inode(ns[0]);
            String device = lab.lastVeth()[0];
            stream(lab, ns, "10.212.28.2");
            List<ProbeEvent> qdisc = events.await(e -> CapturedEvents.of(EventTypes.TX_LATENCY_SLOW, client).test(e)
                    && "qdisc".equals(e.fields().get("phase")) && "tcp".equals(e.fields().get("protocol")), 1, "slow qdisc phases");
            ProbeEvent q = qdisc.getFirst();
            assertEquals(device, q.fields().get("device"));
            assertEquals("10.212.28.1", q.fields().get("saddr"), "the packet's own direction: the client sends");
            assertEquals("10.212.28.2", q.fields().get("daddr"));
            assertEquals(PORT, q.fields().get("dport"));
            assertTrue((double) q.fields().get("latency_seconds") > 0, q.toString());
            List<ProbeEvent> xmit = events.await(e -> CapturedEvents.of(EventTypes.TX_LATENCY_SLOW, client).test(e)
                    && "xmit".equals(e.fields().get("phase")), 1, "slow driver calls");
            assertEquals(device, xmit.getFirst().fields().get("device"));
            assertTrue(!xmit.getFirst().fields().containsKey("saddr"), "the driver's packet may be gone: no tuple");
            assertTrue(xmit.getFirst().message().startsWith("packet on " + device + ": the driver's transmit call took "),
                    xmit.getFirst().message());
        }
    }

    /** A few megabytes over TCP from the first namespace to the second. */
    private static void stream(NetnsLab lab, String[] ns, String server) throws Exception {
        try (ServerSocket listener = NetnsSockets.listen(lab, ns[1], server, PORT)) {
            CompletableFuture<Void> drain = CompletableFuture.runAsync(() -> NetnsSockets.drainAll(listener));
            try (Socket socket = NetnsSockets.connect(lab, ns[0], server, PORT); OutputStream out = socket.getOutputStream()) {
                byte[] chunk = new byte[64 * 1024];
                for (int i = 0; i < 64; i++) {
                    out.write(chunk);
                }
            }
            listener.close();
            drain.join();
        }
    }
}
