package dev.podnet.probe;

/**
 * One series value produced by a collection. The namespace labels ({@code baseNames}/{@code baseValues},
 * shared by every sample of a namespace) are kept apart from the probe's own {@code labels}
 * (alternating name/value), so attribution costs one array per namespace, not one per sample.
 */
public record Sample(String name, Type type, String help, String[] baseNames, String[] baseValues,
                     String[] labels, double value, HistogramData histogram) {

    public enum Type { COUNTER, GAUGE, HISTOGRAM }

    public int labelCount() {
        return baseNames.length + labels.length / 2;
    }
}
