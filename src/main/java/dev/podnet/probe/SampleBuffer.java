package dev.podnet.probe;

import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;

/**
 * A {@link MetricSink} that keeps samples in a list. One buffer per task; the engine merges them. A
 * buffer made for a namespace stamps that namespace's labels on every sample.
 */
public final class SampleBuffer implements MetricSink {
    private static final String[] NONE = new String[0];

    private final List<Sample> samples;
    private final String[] baseNames;
    private final String[] baseValues;
    private final LongFunction<String[]> netnsBaseValues;
    private final String[] netnsBaseNames;
    private final int[] parseErrors;

    /** A node-wide buffer; {@code netnsBaseNames}/{@code netnsBaseValues} label what {@link #forNetns} returns. */
    public SampleBuffer(String[] netnsBaseNames, LongFunction<String[]> netnsBaseValues) {
        this(new ArrayList<>(), NONE, NONE, netnsBaseNames, netnsBaseValues, new int[1]);
    }

    private SampleBuffer(List<Sample> samples, String[] baseNames, String[] baseValues, String[] netnsBaseNames,
                         LongFunction<String[]> netnsBaseValues, int[] parseErrors) {
        this.samples = samples;
        this.baseNames = baseNames;
        this.baseValues = baseValues;
        this.netnsBaseNames = netnsBaseNames;
        this.netnsBaseValues = netnsBaseValues;
        this.parseErrors = parseErrors;
    }

    @Override
    public void counter(String name, String help, double value, String... labels) {
        if (!name.endsWith("_total")) {
            throw new IllegalArgumentException("counter name must end in _total: " + name);
        }
        add(new Sample(name, Sample.Type.COUNTER, help, baseNames, baseValues, checked(name, labels), value, null));
    }

    @Override
    public void gauge(String name, String help, double value, String... labels) {
        add(new Sample(name, Sample.Type.GAUGE, help, baseNames, baseValues, checked(name, labels), value, null));
    }

    @Override
    public void histogram(String name, String help, HistogramData data, String... labels) {
        add(new Sample(name, Sample.Type.HISTOGRAM, help, baseNames, baseValues, checked(name, labels), data.sum(), data));
    }

    @Override
    public MetricSink forNetns(long inode) {
        return new SampleBuffer(samples, netnsBaseNames, netnsBaseValues.apply(inode), netnsBaseNames,
                netnsBaseValues, parseErrors);
    }

    @Override
    public void parseErrors(int lines) {
        parseErrors[0] += lines;
    }

    public int parseErrorCount() {
        return parseErrors[0];
    }

    public List<Sample> samples() {
        return samples;
    }

    private void add(Sample sample) {
        samples.add(sample);
    }

    /** A call without labels gets a fresh empty array from javac; one shared array saves 16 bytes a series. */
    private static String[] checked(String name, String[] labels) {
        if (labels.length == 0) {
            return NONE;
        }
        if ((labels.length & 1) != 0) {
            throw new IllegalArgumentException(name + ": labels must be name/value pairs");
        }
        return labels;
    }
}
