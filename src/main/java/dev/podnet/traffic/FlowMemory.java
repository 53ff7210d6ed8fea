package dev.podnet.traffic;

/**
 * What the agent's heap can hold of flows, so that a node with many flows gets fewer flow series (the
 * rest dropped and counted) rather than an agent that runs out of memory. Measured (bench/flows.sh,
 * BENCHMARKS.md "Flows"): a flow kept in the table takes about 400 bytes of heap, and a scrape needs about
 * 1.6 KiB per flow series while it builds the exposition; the rest of the agent keeps 40 MiB.
 */
record FlowMemory(int maxFlows, int maxSeries) {
    static final long RESERVED_BYTES = 40L << 20;
    static final long BYTES_PER_FLOW = 512;
    static final long BYTES_PER_SERIES = 1638;
    static final int FLOOR = 1000;

    /** The smaller of the configured bounds and what {@code maxHeapBytes} holds. */
    static FlowMemory of(TrafficSettings settings, long maxHeapBytes) {
        long spare = Math.max(0, maxHeapBytes - RESERVED_BYTES);
        int flows = (int) Math.min(settings.maxFlows(), Math.max(FLOOR, spare / BYTES_PER_FLOW));
        int series = (int) Math.min(settings.maxFlowSeries(), Math.max(FLOOR, spare / BYTES_PER_SERIES));
        return new FlowMemory(flows, series);
    }
}
