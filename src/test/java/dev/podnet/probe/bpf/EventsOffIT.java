package dev.podnet.probe.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.TestAgent;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * When the config wants none of a probe's event types, the probe has no event path: no reader, a ring
 * buffer of one page (the kernel's own view of this process's maps), and its counters as before.
 */
@Timeout(120)
class EventsOffIT {
    private static final int BPF_MAP_TYPE_RINGBUF = 27;

    @BeforeAll
    static void kernel() {
        BpfProbeLab.assumeBpf();
    }

    @Test
    void withoutWantedTypesTheRingBufferIsOnePageAndNothingReadsIt() throws Exception {
        List<Long> before = ringBufferSizes();
        try (NetnsLab lab = new NetnsLab(); TestAgent agent = TestAgent.start("""
                probes: [tcpreset, tcpconn]
                events: {types: [HEALTH_CHECK_FAILED]}
                """)) {
            String[] ns = BpfProbeLab.pair(lab, 30);
            String server = BpfProbeLab.netns(lab, ns[1]);
            KernelEventLab.refusedConnect(lab, ns[0], StandardProtocolFamily.INET, new InetSocketAddress("10.212.30.1", 0),
                    new InetSocketAddress("10.212.30.2", 6041));
            Scrape scrape = BpfProbeLab.awaitScrape(agent,
                    s -> s.sum("podnet_tcp_resets_total", "netns", server) >= 1, "the reset counted");
            assertTrue(scrape.find("podnet_bpf_events_total").isEmpty(), "no reader: " + scrape.find("podnet_bpf_events_total"));
            List<Long> sizes = newSince(before);
            assertEquals(List.of(4096L, 4096L), sizes, "the two probes' ring buffers, one page each");
        }
        try (TestAgent agent = TestAgent.start("probes: [tcpreset]\n")) {
            List<Long> sizes = newSince(before);
            assertEquals(List.of(256L * 1024), sizes, "with events: 256 KiB");
            assertEquals(0, agent.scrape().value("podnet_bpf_events_lost_total", "probe", "tcpreset", "cause", "rate"));
        }
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
