package dev.podnet.probe;

/**
 * Where a probe writes its samples. Labels are given as alternating name/value pairs
 * ({@code "device", "eth0"}); the engine adds the namespace labels ({@code netns}, {@code namespace},
 * {@code pod} and configured pod labels) itself, so probes never deal with attribution.
 *
 * <p>Counter names end in {@code _total}, as they appear on the wire. Calls must keep the same label
 * names for the same metric name. A sink is used by one thread at a time.
 */
public interface MetricSink {

    void counter(String name, String help, double value, String... labels);

    void gauge(String name, String help, double value, String... labels);

    void histogram(String name, String help, HistogramData data, String... labels);

    /**
     * A sink whose samples belong to the network namespace with this inode. For node-wide probes that
     * read in-kernel aggregates keyed by namespace (BPF maps, for instance).
     */
    MetricSink forNetns(long inode);

    /** Records input lines that could not be parsed and were skipped ({@code podnet_parse_errors_total}). */
    void parseErrors(int lines);
}
