package dev.podnet.probe.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.TestAgent;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A flood of resets (connects to a closed port in a loop from several threads for ten seconds) through the
 * whole agent: every reset is either an event read from the ring buffer or counted as lost in the kernel,
 * the losses reach the event pipeline, the pipeline's rate limit folds the rest into counts, and the agent
 * keeps answering scrapes throughout. Each run prints its numbers (how many connects, read, lost, folded).
 */
@Timeout(180)
class EventFloodIT {
    private static final int CLOSED_PORT = 6031;
    private static final int THREADS = 4;
    private static final Duration FLOOD = Duration.ofSeconds(10);
    /** Bounds the loop whatever the machine's speed. */
    private static final int MAX_CONNECTS_PER_THREAD = 200_000;

    @BeforeAll
    static void kernel() {
        BpfProbeLab.assumeBpf();
    }

    @Test
    void aResetFloodIsCountedAsLostOrRateLimitedAndTheAgentStaysResponsive() throws Exception {
        flood(100);
    }

    /**
     * Without the kernel's per-CPU rate in the way, the ring buffer and its reader take the whole flood
     * (here they keep up; what would not fit is counted as lost, cause ring_buffer) and the accounting holds.
     */
    @Test
    void withoutAKernelRateEveryResetIsStillReadOrCountedLost() throws Exception {
        flood(KernelEventConfig.MAX_PER_CPU_PER_SECOND);
    }

    private void flood(int perCpuPerSecond) throws Exception {
        Path file = Files.createTempFile("podnet-flood", ".ndjson");
        try (NetnsLab lab = new NetnsLab(); TestAgent agent = TestAgent.start("""
                probes: [tcpreset]
                probeSettings: {tcpreset: {eventsPerSecond: %d}}
                events: {sinks: [{type: file, path: %s}]}
                """.formatted(perCpuPerSecond, file))) {
            String[] ns = BpfProbeLab.pair(lab, 29);
            long heapBefore = liveHeap();
            String client = BpfProbeLab.netns(lab, ns[0]);
            String server = BpfProbeLab.netns(lab, ns[1]);
            AtomicLong refused = new AtomicLong();
            ExecutorService threads = Executors.newFixedThreadPool(THREADS);
            List<Future<?>> loops = new ArrayList<>();
            Instant end = Instant.now().plus(FLOOD);
            for (int t = 0; t < THREADS; t++) {
                loops.add(threads.submit(() -> {
                    lab.inNetns(ns[0], () -> {
                        InetSocketAddress target = new InetSocketAddress("10.212.29.2", CLOSED_PORT);
                        for (int i = 0; i < MAX_CONNECTS_PER_THREAD && Instant.now().isBefore(end); i++) {
                            try (SocketChannel channel = SocketChannel.open(StandardProtocolFamily.INET)) {
                                channel.connect(target);
                            } catch (ConnectException expected) {
                                refused.incrementAndGet();
                            }
                        }
                        return null;
                    });
                    return null;
                }));
            }
            int scrapesDuringFlood = 0;
            while (loops.stream().anyMatch(f -> !f.isDone())) {
                Scrape during = agent.scrape();
                assertTrue(during.text().contains("podnet_tcp_resets_total"), "the agent answers scrapes during the flood");
                scrapesDuringFlood++;
                Thread.sleep(500);
            }
            for (Future<?> loop : loops) {
                loop.get();
            }
            threads.shutdown();
            assertTrue(scrapesDuringFlood > 0);
            long connects = refused.get();
            assertTrue(connects > 1000, "a flood: " + connects + " refused connects");

            // every reset in these namespaces (two per connect) was read or counted as lost; the reader and the
            // loss report (once a second) catch up
            Scrape after = BpfProbeLab.awaitScrape(agent, s -> read(s) + lostInKernel(s) >= 2 * connects
                    && s.sum("podnet_events_dropped_total", "stage", "ring_buffer", "sink", "tcpreset") == lostInKernel(s),
                    "every reset read or counted lost, and the losses reported");
            System.out.printf("flood: %d refused connects; tcpreset read %.0f events, lost %s; the pipeline folded %.0f%n", connects,
                    read(after), lost(after).replace("\n", ", "), after.sum("podnet_events_rate_limited_total"));
            assertEquals(connects, after.value("podnet_tcp_resets_total", "netns", server, "direction", "sent", "state", "NO_SOCKET"));
            assertEquals(connects, after.value("podnet_tcp_resets_total", "netns", client, "direction", "received", "state", "SYN_SENT"));
            if (perCpuPerSecond == 100) {
                assertTrue(after.value("podnet_bpf_events_lost_total", "probe", "tcpreset", "cause", "rate") > 0,
                        "over 100 per CPU and second: lost in the kernel\n" + lost(after));
            }
            assertEquals(0, after.value("podnet_bpf_events_lost_total", "probe", "tcpreset", "cause", "undecodable"));
            long heapGrowth = liveHeap() - heapBefore;
            System.out.printf("flood: live heap grew by %.1f MiB%n", heapGrowth / 1048576.0);
            assertTrue(heapGrowth < 32L << 20, "the agent's memory stays bounded under the flood: live heap grew by "
                    + heapGrowth / 1048576 + " MiB (queues, the recent ring and the rate-limit keys are all bounded)");
            assertTrue(after.sum("podnet_events_rate_limited_total", "type", "TCP_RESET_NO_SOCKET") > 0,
                    "the pipeline folded most of what came through");

            // the file has the folded counts, and says that events were lost when some were
            boolean lostSome = lostInKernel(after) > 0;
            List<Map<String, Object>> written = awaitLines(file, events -> events.stream().anyMatch(EventFloodIT::folded)
                    && (!lostSome || events.stream().anyMatch(e -> e.get("type").equals("EVENTS_LOST"))));
            assertTrue(written.stream().anyMatch(EventFloodIT::folded), "a folded count");
            assertEquals(lostSome, written.stream().anyMatch(e -> e.get("type").equals("EVENTS_LOST")),
                    "losses announced in the stream exactly when there were some");
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** The heap still in use after full collections (the agent runs in this JVM). */
    private static long liveHeap() {
        long least = Long.MAX_VALUE;
        for (int i = 0; i < 3; i++) {
            System.gc();
            least = Math.min(least, java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed());
        }
        return least;
    }

    private static double read(Scrape s) {
        return s.sum("podnet_bpf_events_total", "probe", "tcpreset");
    }

    private static double lostInKernel(Scrape s) {
        return s.sum("podnet_bpf_events_lost_total", "probe", "tcpreset");
    }

    private static String lost(Scrape s) {
        return String.join("\n", s.find("podnet_bpf_events_lost_total").stream().map(Object::toString).toList());
    }

    private static boolean folded(Map<String, Object> e) {
        return e.get("type").equals("TCP_RESET_NO_SOCKET")
                && ((Map<?, ?>) e.get("fields")).get("count") instanceof Number count && count.longValue() > 1;
    }

    /** The file's events once they satisfy {@code ready} (the sink writes asynchronously), or after 20 s. */
    private static List<Map<String, Object>> awaitLines(Path file, Predicate<List<Map<String, Object>>> ready) throws Exception {
        ObjectMapper json = new ObjectMapper();
        Instant deadline = Instant.now().plusSeconds(20);
        while (true) {
            List<Map<String, Object>> events = new ArrayList<>();
            for (String line : Files.readAllLines(file)) {
                if (!line.isBlank()) {
                    @SuppressWarnings("unchecked")
                    Map<String, Object> event = json.readValue(line, Map.class);
                    events.add(event);
                }
            }
            if (ready.test(events) || Instant.now().isAfter(deadline)) {
                return events;
            }
            Thread.sleep(100);
        }
    }
}
