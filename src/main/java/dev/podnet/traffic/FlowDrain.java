package dev.podnet.traffic;

import dev.podnet.bpf.BpfException;
import dev.podnet.probe.FlowWatch;
import dev.podnet.probe.MetricSink;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Drains the kernel's flow map on its own schedule ({@code flowDrainInterval}), not at scrape time: the
 * map must be aged and evicted whether or not anyone scrapes, or it would fill up. Each drain reads the
 * whole map in batches into the {@link FlowTable}, and deletes from the kernel what the table evicts.
 * Scrapes only read the table.
 */
final class FlowDrain implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(FlowDrain.class.getName());

    private final TrafficObject program;
    private final TrafficSettings settings;
    private final FlowTable table;
    private final FlowMemory memory;
    private final FlowExport export;
    private final FlowHooks hooks;
    private final ScheduledExecutorService timer;
    private final AtomicLong errors = new AtomicLong();
    private volatile List<FlowWatch> watches = List.of();
    private volatile Set<Long> watched = Set.of();
    private volatile int lastKernelEntries;

    FlowDrain(TrafficObject program, TrafficSettings settings) {
        this.program = program;
        this.settings = settings;
        this.memory = FlowMemory.of(settings, Runtime.getRuntime().maxMemory());
        if (memory.maxSeries() < settings.maxFlowSeries() || memory.maxFlows() < settings.maxFlows()) {
            LOG.info("traffic: the heap (" + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB) holds " + memory.maxFlows()
                    + " flows and " + memory.maxSeries() + " flow series, fewer than maxFlows " + settings.maxFlows()
                    + " / maxFlowSeries " + settings.maxFlowSeries() + "; more are dropped and counted (raise -Xmx for more)");
        }
        this.table = new FlowTable(memory.maxFlows());
        this.export = new FlowExport(memory.maxSeries());
        this.hooks = new FlowHooks(program);
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("podnet-flow-drain").daemon(true).factory());
        long every = settings.flowDrainInterval().toMillis();
        timer.scheduleWithFixedDelay(this::drainQuietly, every, every, TimeUnit.MILLISECONDS);
    }

    /** The flows tasks ask for from now on; the kernel side is switched by the caller (flow modes). */
    void watch(List<FlowWatch> now) throws BpfException {
        Set<Long> namespaces = new HashSet<>();
        now.forEach(w -> namespaces.add(w.netns()));
        watches = List.copyOf(now);
        watched = Set.copyOf(namespaces);
        hooks.enable(!namespaces.isEmpty());
    }

    private void drainQuietly() {
        try {
            drain();
        } catch (BpfException | RuntimeException e) {
            errors.incrementAndGet();
            LOG.warning("traffic: draining the flow map failed: " + e.getMessage());
        }
    }

    /** One drain: read the kernel's flows, refresh the table, evict in the kernel. */
    synchronized void drain() throws BpfException {
        Set<Long> current = watched;
        if (current.isEmpty() && lastKernelEntries == 0 && table.size() == 0) {
            return; // nothing kept, nothing left to clean up
        }
        List<FlowTable.Entry> kernel = new ArrayList<>();
        program.flows().forEachBatched((key, value) -> kernel.add(FlowTable.Entry.of(key, value)));
        lastKernelEntries = kernel.size();
        byte[] evict = table.refresh(kernel, current, System.nanoTime(), settings.flowIdleTimeout());
        program.flows().deleteBatched(evict);
    }

    void write(MetricSink out) throws BpfException {
        export.write(watches, table.byNamespace(), out);
        out.gauge("podnet_flow_namespaces", "Network namespaces whose flows monitoring tasks ask for.", watched.size());
        out.gauge("podnet_flows", "Flows in the flow table (each one an entry of the kernel's flow map).", table.size());
        out.gauge("podnet_flow_series", "Flow series written by the last collection.", export.lastSeries());
        out.gauge("podnet_flow_max_series",
                "Flow series written at most: probeSettings.traffic.maxFlowSeries, or less when the heap holds fewer.",
                memory.maxSeries());
        out.gauge("podnet_flow_max_entries", "Entries of the kernel's flow map (probeSettings.traffic.maxFlows).",
                settings.maxFlows());
        String droppedHelp = "Flows left out, each counted once (series_limit: over the flow series bound; memory_limit: "
                + "more flows than the heap holds, evicted from the kernel too).";
        out.counter("podnet_flows_dropped_total", droppedHelp, export.dropped(), "reason", "series_limit");
        out.counter("podnet_flows_dropped_total", droppedHelp, table.droppedForMemory(), "reason", "memory_limit");
        out.counter("podnet_flow_packets_untracked_total",
                "Packets not added to a flow because the kernel's flow map was full (maxFlows).",
                program.flowInsertFailures(), "reason", "kernel_map_full");
        out.counter("podnet_flows_evicted_total", "Flows evicted from the table and the kernel map after flowIdleTimeout without packets.",
                table.evictedIdle(), "reason", "idle");
        out.counter("podnet_flow_drain_errors_total", "Drains of the kernel's flow map that failed.", errors.get());
    }

    boolean hooksEnabled() {
        return hooks.enabled();
    }

    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        hooks.close();
    }
}
