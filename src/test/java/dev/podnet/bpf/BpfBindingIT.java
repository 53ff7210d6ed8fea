package dev.podnet.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.podnet.probe.HistogramData;
import dev.podnet.probe.bpf.Log2Histogram;
import dev.podnet.probe.bpf.NetnsAggregates;
import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.Sh;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The binding against the real kernel, with the test-only programs of src/test/bpf. */
@Timeout(120)
class BpfBindingIT {
    private static final int COUNT_TC = 0;
    private static final int COUNT_ESTABLISHED = 1;
    private static final int COUNT_LOST = 2;

    @BeforeAll
    static void kernel() {
        NetnsLab.assumeKernelLab();
        assumeTrue(Files.exists(Path.of("/sys/kernel/btf/vmlinux")), "needs kernel BTF (/sys/kernel/btf/vmlinux)");
    }

    @Test
    void tcProgramCountsPerCpuFillsHistogramAndEmitsRingBufferEvents() throws Exception {
        int port = ThreadLocalRandom.current().nextInt(20000, 60000);
        int[] payloads = {0, 1, 5, 100, 1000};
        try (NetnsLab lab = new NetnsLab(); BpfObject object = BpfObject.openResource("bpf/selftest.bpf.o")) {
            String sender = lab.add("tx");
            String receiver = lab.add("rx");
            lab.veth(sender, "10.210.1.1/24", receiver, "10.210.1.2/24");
            String device = lab.lastVeth()[1];
            int ifindex = Integer.parseInt(lab.exec(receiver, "cat", "/sys/class/net/" + device + "/ifindex").strip());

            object.load();
            configure(object, port, 0);
            BpfProgram program = object.program("count_udp");
            BpfAttachment tc = lab.inNetns(receiver, () -> program.attachTc(ifindex, TcAttachment.Direction.INGRESS));
            assertTrue(lab.exec(receiver, "tc", "filter", "show", "dev", device, "ingress").contains("count_udp"),
                    "tc sees our filter");

            Queue<ByteBuffer> events = new ConcurrentLinkedQueue<>();
            try (RingBuffer ring = RingBuffer.open(object.map("events"), events::add)) {
                lab.inNetns(sender, () -> {
                    try (DatagramSocket socket = new DatagramSocket()) {
                        for (int size : payloads) {
                            socket.send(new DatagramPacket(new byte[size], size, InetAddress.getByName("10.210.1.2"), port));
                        }
                    }
                    return null;
                });
                await(() -> events.size() >= payloads.length, "ring buffer events");
                assertEquals(payloads.length, ring.records());
                assertEquals(0, ring.handlerErrors());
            }
            List<Integer> seen = new ArrayList<>();
            for (ByteBuffer event : events) {
                assertEquals(ifindex, event.getInt(0), "ifindex of the receiving veth");
                assertEquals(port, Short.toUnsignedInt(event.getShort(8)));
                seen.add(Short.toUnsignedInt(event.getShort(10)));
                assertEquals(seen.getLast() + 28 + 14, event.getInt(4), "skb length = payload + UDP/IP + Ethernet headers");
            }
            assertEquals(List.of(0, 1, 5, 100, 1000), seen.stream().sorted().toList());

            BpfMap counts = object.map("counts");
            assertEquals(BpfMapType.PERCPU_ARRAY, counts.type());
            assertEquals(8 * PossibleCpus.count(), counts.valueBufferSize());
            assertEquals(payloads.length, counts.sumLong(counts.lookup(index(COUNT_TC)), 0), "per-CPU counts summed");
            assertEquals(0, counts.sumLong(counts.lookup(index(COUNT_LOST)), 0), "no event lost");

            BpfMap sizes = object.map("payload_sizes");
            Map<NetnsAggregates.Key, HistogramData> histograms =
                    NetnsAggregates.log2Histograms(sizes, sizes.entries(), 1.0);
            HistogramData histogram = histograms.get(new NetnsAggregates.Key(0, port));
            long[] expected = new long[32];
            for (int size : payloads) {
                expected[Log2Histogram.slotOf(size, 32)]++;
            }
            assertEquals(List.of(new NetnsAggregates.Key(0, port)), List.copyOf(histograms.keySet()));
            assertEquals(java.util.Arrays.toString(expected), java.util.Arrays.toString(histogram.counts()));
            assertEquals(1106.0, histogram.sum());
            assertEquals(1024.0, histogram.upperBounds()[10], "slot 10 ends at 2^10");

            lab.inNetns(receiver, () -> {
                tc.close();
                return null;
            });
            assertTrue(!lab.exec(receiver, "tc", "filter", "show", "dev", device, "ingress").contains("count_udp"),
                    "closing detaches the filter");
        }
    }

    @Test
    void classicTracepointReadsItsContextThroughCoRe() throws Exception {
        int port = ThreadLocalRandom.current().nextInt(20000, 60000);
        try (NetnsLab lab = new NetnsLab(); BpfObject object = BpfObject.openResource("bpf/selftest.bpf.o")) {
            String ns = lab.add("tp");
            object.load();
            configure(object, 0, port);
            BpfAttachment link = object.program("count_established").attachTracepoint("sock", "inet_sock_set_state");
            assertEquals("tracepoint sock/inet_sock_set_state", link.target());
            assertTrue(Files.isDirectory(Tracefs.ensureMounted().resolve("events/sock/inet_sock_set_state")));
            int connections = 3;
            lab.inNetns(ns, () -> {
                try (ServerSocket server = new ServerSocket()) {
                    server.bind(new InetSocketAddress("127.0.0.1", port));
                    for (int i = 0; i < connections; i++) {
                        try (Socket client = new Socket("127.0.0.1", port); Socket accepted = server.accept()) {
                            client.getOutputStream().write(1);
                            assertEquals(1, accepted.getInputStream().read());
                        }
                    }
                }
                return null;
            });
            BpfMap counts = object.map("counts");
            // each connection reaches ESTABLISHED twice: the client socket and the accepted one
            await(() -> sum(counts, COUNT_ESTABLISHED) >= 2L * connections, "ESTABLISHED transitions");
            assertEquals(2L * connections, sum(counts, COUNT_ESTABLISHED));
        }
    }

    @Test
    void verifierRejectionNamesTheProgramAndCarriesTheLog() throws Exception {
        try (BpfObject object = BpfObject.openResource("bpf/broken.bpf.o")) {
            BpfException e = assertThrows(BpfException.class, object::load);
            System.out.println(e.getMessage());
            assertTrue(e.getMessage().startsWith("object broken.bpf.o: load of program deref_without_check:"), e.getMessage());
            assertTrue(e.getMessage().contains("invalid mem access"), "the verifier's reason: " + e.getMessage());
            assertEquals(13, e.errno(), "EACCES: rejected by the verifier");
        }
    }

    @Test
    void unknownRawTracepointFailsWithEnoentNamingProgramAndTracepoint() throws Exception {
        try (BpfObject object = BpfObject.openResource("bpf/tcpretrans.bpf.o")) {
            object.load();
            BpfException e = assertThrows(BpfException.class,
                    () -> object.program("on_tcp_retransmit_skb").attachRawTracepoint("podnet_no_such_tracepoint"));
            assertEquals(2, e.errno());
            assertTrue(e.getMessage().startsWith("program on_tcp_retransmit_skb of tcpretrans.bpf.o: attach to raw "
                    + "tracepoint podnet_no_such_tracepoint: No such file or directory"), e.getMessage());
            assertThrows(BpfException.class, () -> object.program("no_such_program"));
            assertThrows(BpfException.class, () -> object.map("no_such_map"));
        }
    }

    @Test
    void btfTypedTracepointProgramsGetTheirTracepointBeforeLoadingAndAttachWithoutAName() throws Exception {
        try (BpfObject raw = BpfObject.openResource("bpf/tcpretrans.bpf.o")) {
            assertFalse(raw.program("on_tcp_retransmit_skb").isBtfTracepoint(), "a raw_tp/ program");
        }
        try (BpfObject object = BpfObject.openResource("bpf/netiftx.bpf.o")) {
            BpfProgram xmit = object.program("on_net_dev_xmit");
            assertTrue(xmit.isBtfTracepoint(), "a tp_btf/ program");
            BpfException unknown = assertThrows(BpfException.class, () -> xmit.setBtfTracepoint("podnet_no_such_tracepoint"));
            assertTrue(unknown.getMessage().startsWith("program on_net_dev_xmit of netiftx.bpf.o: BTF tracepoint "
                    + "podnet_no_such_tracepoint: the kernel has no tracepoint of that name"), unknown.getMessage());
            xmit.setBtfTracepoint("net_dev_xmit");
            object.load();
            BpfAttachment attached = xmit.attachBtfTracepoint("net_dev_xmit");
            assertEquals("BTF tracepoint net_dev_xmit", attached.target());
            BpfException late = assertThrows(BpfException.class, () -> xmit.setBtfTracepoint("net_dev_queue"));
            assertTrue(late.getMessage().contains("cannot change"), late.getMessage());
            attached.close();
        }
    }

    @Test
    void ringBufferSurvivesAHandlerThatThrows() throws Exception {
        int port = ThreadLocalRandom.current().nextInt(20000, 60000);
        try (NetnsLab lab = new NetnsLab(); BpfObject object = BpfObject.openResource("bpf/selftest.bpf.o")) {
            String ns = lab.add("rb");
            int ifindex = Integer.parseInt(lab.exec(ns, "cat", "/sys/class/net/lo/ifindex").strip());
            object.load();
            configure(object, port, 0);
            BpfProgram program = object.program("count_udp");
            BpfAttachment tc = lab.inNetns(ns, () -> program.attachTc(ifindex, TcAttachment.Direction.INGRESS));
            Queue<Integer> handled = new ConcurrentLinkedQueue<>();
            try (RingBuffer ring = RingBuffer.open(object.map("events"), event -> {
                int payload = Short.toUnsignedInt(event.getShort(10));
                if (payload == 13) {
                    throw new IllegalStateException("a handler bug");
                }
                handled.add(payload);
            })) {
                lab.inNetns(ns, () -> {
                    try (DatagramSocket socket = new DatagramSocket()) {
                        for (int size : new int[] {12, 13, 14}) {
                            socket.send(new DatagramPacket(new byte[size], size, InetAddress.getLoopbackAddress(), port));
                        }
                    }
                    return null;
                });
                await(() -> ring.records() >= 3, "three records");
                assertEquals(1, ring.handlerErrors(), "the throwing call is counted, not propagated");
                assertEquals(List.of(12, 14), List.copyOf(handled), "records before and after it are handled");
            }
            lab.inNetns(ns, () -> {
                tc.close();
                return null;
            });
        }
    }

    @Test
    void ringBufferRefusesOtherMaps() throws Exception {
        try (BpfObject object = BpfObject.openResource("bpf/selftest.bpf.o")) {
            object.load();
            BpfException e = assertThrows(BpfException.class, () -> RingBuffer.open(object.map("counts"), b -> { }));
            assertTrue(e.getMessage().contains("not a ring buffer"), e.getMessage());
        }
    }

    @Test
    void btfKnowsEnumsAndTracepointArgumentsLikeBpftool() throws Exception {
        String c = Sh.run("bpftool", "btf", "dump", "file", "/sys/kernel/btf/vmlinux", "format", "c");
        try (Btf btf = Btf.loadVmlinux()) {
            Map<Long, String> reasons = btf.enumValues("skb_drop_reason");
            int start = c.indexOf("enum skb_drop_reason {");
            String body = c.substring(start, c.indexOf("};", start));
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\t(\\w+) = (\\d+),").matcher(body);
            int count = 0;
            while (m.find()) {
                count++;
                assertEquals(m.group(1), reasons.get(Long.parseLong(m.group(2))), "value " + m.group(2));
            }
            assertEquals(count, reasons.size());
            assertTrue(btf.enumValues("podnet_no_such_enum").isEmpty());

            for (String tracepoint : new String[] {"kfree_skb", "tcp_retransmit_skb", "inet_sock_set_state"}) {
                java.util.regex.Matcher proto = java.util.regex.Pattern
                        .compile("typedef void \\(\\*btf_trace_" + tracepoint + "\\)\\(([^)]*)\\);").matcher(c);
                assertTrue(proto.find(), tracepoint);
                int params = proto.group(1).split(",").length;
                assertEquals(params - 1, btf.tracepointArity(tracepoint), tracepoint + ": " + proto.group(1));
            }
            assertEquals(-1, btf.tracepointArity("podnet_no_such_tracepoint"));
        }
    }

    @Test
    void batchedWalkSeesEveryEntryOnceAndBatchedDeleteSkipsAbsentKeys() throws Exception {
        kernel();
        try (BpfObject object = BpfObject.openResource("bpf/traffic.bpf.o")) {
            object.load();
            BpfMap flows = object.map("flows");
            int n = 10_000;
            byte[] value = new byte[flows.valueSize()];
            java.io.ByteArrayOutputStream half = new java.io.ByteArrayOutputStream();
            for (int i = 0; i < n; i++) {
                byte[] key = new byte[flows.keySize()];
                java.nio.ByteBuffer.wrap(key).order(BpfMap.order()).putInt(i);
                value[0] = (byte) i;
                flows.update(key, value);
                if (i % 2 == 0) {
                    half.writeBytes(key);
                }
            }
            byte[] absent = new byte[flows.keySize()];
            java.nio.ByteBuffer.wrap(absent).order(BpfMap.order()).putInt(n + 1);
            half.writeBytes(absent); // gone meanwhile: skipped, the rest still deleted
            java.util.Set<Integer> seen = new java.util.HashSet<>();
            int[] wrongValues = {0};
            flows.forEachBatched((k, v) -> {
                int id = k.get(java.lang.foreign.ValueLayout.JAVA_INT_UNALIGNED, 0);
                seen.add(id);
                if (v.get(java.lang.foreign.ValueLayout.JAVA_BYTE, 0) != (byte) id) {
                    wrongValues[0]++;
                }
            });
            assertEquals(n, seen.size(), "every entry once");
            assertEquals(0, wrongValues[0], "each value with its key");
            flows.deleteBatched(half.toByteArray());
            int[] left = {0};
            flows.forEachBatched((k, v) -> left[0]++);
            assertEquals(n / 2, left[0]);
        }
    }

    @Test
    void closedObjectRefusesUse() throws Exception {
        BpfObject object = BpfObject.openResource("bpf/tcpretrans.bpf.o");
        object.load();
        BpfMap map = object.map("retransmits");
        assertEquals(16384, map.maxEntries());
        assertEquals(BpfMapType.PERCPU_HASH, map.type());
        object.close();
        BpfException e = assertThrows(BpfException.class, map::entries);
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
        object.close(); // twice is harmless
    }

    @Test
    void missingResourceIsNamed() {
        BpfException e = assertThrows(BpfException.class, () -> BpfObject.openResource("bpf/nothing.bpf.o"));
        assertTrue(e.getMessage().contains("bpf/nothing.bpf.o is not on the class path"), e.getMessage());
    }

    private static void configure(BpfObject object, int udpPort, int tcpPort) throws BpfException {
        byte[] config = ByteBuffer.allocate(8).order(BpfMap.order()).putInt(udpPort).putInt(tcpPort).array();
        object.map("settings").update(index(0), config);
    }

    private static byte[] index(int i) {
        return ByteBuffer.allocate(4).order(BpfMap.order()).putInt(i).array();
    }

    private static long sum(BpfMap counts, int index) {
        try {
            return counts.sumLong(counts.lookup(index(index)), 0);
        } catch (BpfException e) {
            throw new AssertionError(e);
        }
    }

    /** Waits for the kernel to deliver (bounded; a wait, not a timing assertion). */
    static void await(BooleanSupplier condition, String what) throws InterruptedException {
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " within 10 s");
            }
            Thread.sleep(20);
        }
    }
}
