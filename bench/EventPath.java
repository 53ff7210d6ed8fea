import dev.podnet.event.EventBus;
import dev.podnet.event.EventMetrics;
import dev.podnet.event.EventsConfig;
import dev.podnet.event.Subscription;
import dev.podnet.probe.EventTypes;
import dev.podnet.probe.ProbeEvent;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The event path's own cost, without the kernel: events emitted as a probe's ring-buffer reader would
 * (one thread), through the bus (attribution, rate limit, numbering, the recent ring) into a sink's
 * queue, and delivered by the sink. Reports the emitting thread's cost per event (median of rounds), the
 * rate the sink sustained (the events every pod's burst lets through, 100 pods), what was dropped
 * (counted), and the process CPU per event.
 *
 *   java -cp target/podnet.jar bench/EventPath.java SINK EVENTS ROUNDS   (SINK: file | none | stream)
 */
public class EventPath {
    public static void main(String[] args) throws Exception {
        String sink = args.length > 0 ? args[0] : "file";
        int events = args.length > 1 ? Integer.parseInt(args[1]) : 200_000;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 7;
        Path dir = Files.createTempDirectory("podnet-event-bench");
        EventMetrics metrics = EventMetrics.unregistered();
        EventBus bus = new EventBus("bench-node", metrics);
        Map<String, Object> config = new java.util.HashMap<>(Map.of("queueSize", 100_000, "recent", 1_000,
                "rateLimit", Map.of("burst", 100_000, "perSecond", 100_000)));
        if (sink.equals("file")) {
            config.put("sinks", List.of(Map.of("type", "file", "path", dir.resolve("events.ndjson").toString(), "maxSizeMB", 64,
                    "maxBackups", 1)));
        }
        bus.configure(EventsConfig.of(config));
        bus.setAttribution(netns -> new String[] {"shop", "web-" + (netns % 100)});
        Subscription stream = sink.equals("stream") ? bus.subscribe(e -> true, -1) : null;
        Thread reader = stream == null ? null : Thread.ofPlatform().start(() -> {
            try {
                while (!Thread.currentThread().isInterrupted()) {
                    stream.poll(100, TimeUnit.MILLISECONDS);
                }
            } catch (InterruptedException e) {
                // done
            }
        });
        var os = (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        List<Double> emitNanos = new ArrayList<>();
        List<Double> sustained = new ArrayList<>();
        long totalEvents = 0;
        long cpuBefore = os.getProcessCpuTime();
        for (int r = 0; r < rounds; r++) {
            String sinkName = "file:" + dir.resolve("events.ndjson");
            double sentBefore = sink.equals("file") ? metrics.sent(sinkName) : 0;
            long start = System.nanoTime();
            for (int i = 0; i < events; i++) {
                bus.emit(new ProbeEvent(EventTypes.TCP_RESET_NO_SOCKET, "tcpreset", 4026532000L + (i % 100),
                        Map.of("protocol", "tcp", "family", "ipv4", "saddr", "10.0.0.1", "sport", 8080, "daddr", "10.0.0.2",
                                "dport", 40000 + (i % 20000)), "reset sent: no socket listens on 10.0.0.1:8080"));
            }
            long emitted = System.nanoTime() - start;
            if (sink.equals("file")) {
                long emittedSoFar = totalEvents + events;
                while (metrics.sent(sinkName) + metrics.dropped("sink_queue", sinkName) < emittedSoFar
                        && System.nanoTime() - start < 120e9) {
                    Thread.sleep(2);
                }
                sustained.add((metrics.sent(sinkName) - sentBefore) / ((System.nanoTime() - start) / 1e9));
            }
            emitNanos.add((double) emitted / events);
            totalEvents += events;
        }
        long cpu = os.getProcessCpuTime() - cpuBefore;
        Collections.sort(emitNanos);
        Collections.sort(sustained);
        System.out.printf("sink=%s events/round=%d rounds=%d%n", sink, events, rounds);
        System.out.printf("emit: median %.0f ns/event (min %.0f, max %.0f) on the emitting thread%n",
                emitNanos.get(rounds / 2), emitNanos.getFirst(), emitNanos.getLast());
        if (!sustained.isEmpty()) {
            String name = "file:" + dir.resolve("events.ndjson");
            System.out.printf("file sink: median %.0f events/s delivered (min %.0f, max %.0f); sent %.0f, dropped %.0f (queue full, counted)%n",
                    sustained.get(rounds / 2), sustained.getFirst(), sustained.getLast(), metrics.sent(name),
                    metrics.dropped("sink_queue", name));
        }
        if (stream != null) {
            System.out.printf("stream: dropped %.0f (a reader slower than the bus, counted)%n", metrics.dropped("stream", "events"));
            reader.interrupt();
        }
        System.out.printf("process CPU: %.0f ns/event over %d events (emitting, delivering, JIT and GC)%n",
                (double) cpu / totalEvents, totalEvents);
        bus.close();
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                Files.delete(f);
            }
        }
        Files.delete(dir);
    }
}
