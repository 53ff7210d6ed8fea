package dev.podnet.probe.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.podnet.probe.Probe;
import dev.podnet.testing.NetnsLab;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * When the config wants none of a probe's event types, the probe has no event path: no reader thread, a
 * ring buffer of one page (the kernel's own view of this process's maps), nothing emitted.
 */
@Timeout(120)
class EventsOffIT {
    private static final int BPF_MAP_TYPE_RINGBUF = 27;
    private static final String READER_THREAD = "podnet-ringbuf-" + KernelEventConfig.RING;

    @BeforeAll
    static void kernel() {
        BpfProbeLab.assumeBpf();
    }

    @Test
    void withoutWantedTypesTheRingBufferIsOnePageAndNothingReadsIt() throws Exception {
        List<Long> before = ringBufferSizes();
        long readersBefore = readers();
        CapturedEvents none = new CapturedEvents(dev.podnet.probe.EventTypes.HEALTH_CHECK_FAILED);
        try (NetnsLab lab = new NetnsLab();
             Probe resets = KernelEventLab.start(new TcpResetProbe(), none, Map.of());
             Probe connections = KernelEventLab.start(new TcpConnProbe(), none, Map.of())) {
            String[] ns = BpfProbeLab.pair(lab, 30);
            KernelEventLab.refusedConnect(lab, ns[0], StandardProtocolFamily.INET, new InetSocketAddress("10.212.30.1", 0),
                    new InetSocketAddress("10.212.30.2", 6041));
            assertEquals(List.of(4096L, 4096L), newSince(before), "the two probes' ring buffers, one page each");
            assertEquals(readersBefore, readers(), "no reader thread");
            assertEquals(0, none.emitted());
            assertEquals(0, none.lost());
        }
        CapturedEvents all = new CapturedEvents();
        try (Probe resets = KernelEventLab.start(new TcpResetProbe(), all, Map.of())) {
            assertEquals(List.of(256L * 1024), newSince(before), "with events: 256 KiB");
            assertEquals(readersBefore + 1, readers());
        }
        assertEquals(readersBefore, readers(), "the reader stops with its probe");
    }

    private static long readers() {
        return Thread.getAllStackTraces().keySet().stream().filter(t -> t.getName().equals(READER_THREAD) && t.isAlive()).count();
    }

    /** The ring buffers held now that were not held before (each earlier one taken out once). */
    private static List<Long> newSince(List<Long> before) throws Exception {
        List<Long> now = ringBufferSizes();
        for (Long size : before) {
            now.remove(size);
        }
        return now;
    }

    /** max_entries of every ring buffer map this process holds a file descriptor of (from /proc/self/fdinfo). */
    private static List<Long> ringBufferSizes() throws Exception {
        List<Long> sizes = new ArrayList<>();
        try (Stream<Path> fds = Files.list(Path.of("/proc/self/fdinfo"))) {
            for (Path fd : fds.toList()) {
                String info;
                try {
                    info = Files.readString(fd);
                } catch (java.io.IOException gone) {
                    continue;
                }
                if (info.contains("map_type:\t" + BPF_MAP_TYPE_RINGBUF + "\n")) {
                    for (String line : info.split("\n")) {
                        if (line.startsWith("max_entries:")) {
                            sizes.add(Long.parseLong(line.substring("max_entries:".length()).trim()));
                        }
                    }
                }
            }
        }
        return sizes;
    }
}
