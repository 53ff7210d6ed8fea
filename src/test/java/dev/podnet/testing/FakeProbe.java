package dev.podnet.testing;

import dev.podnet.netns.Netns;
import dev.podnet.netns.NetnsReader;
import dev.podnet.probe.MetricSink;
import dev.podnet.probe.Overhead;
import dev.podnet.probe.Probe;
import dev.podnet.probe.ProbeContext;
import dev.podnet.probe.ProbeInfo;
import dev.podnet.probe.ProbeSource;
import dev.podnet.probe.ProbeUnavailableException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A probe whose behaviour a test chooses, for exercising the engine's guarantees (deadlines, failures,
 * vanished namespaces) through the real agent. Each instance counts its collections.
 */
public class FakeProbe implements Probe {
    /** What to do for one namespace. */
    @FunctionalInterface
    public interface Body {
        void collect(Netns netns, NetnsReader reader, MetricSink out) throws Exception;
    }

    private final String name;
    private final Body body;
    private final String unavailableReason;
    public final AtomicInteger calls = new AtomicInteger();

    public FakeProbe(String name, Body body) {
        this(name, body, null);
    }

    public FakeProbe(String name, Body body, String unavailableReason) {
        this.name = name;
        this.body = body;
        this.unavailableReason = unavailableReason;
    }

    @Override
    public ProbeInfo info() {
        return new ProbeInfo(name, ProbeSource.PROCFS, Overhead.LOW, false, true, false, "test probe " + name);
    }

    @Override
    public void start(ProbeContext context) throws ProbeUnavailableException {
        if (unavailableReason != null) {
            throw new ProbeUnavailableException(unavailableReason);
        }
    }

    @Override
    public void collectNamespace(Netns netns, NetnsReader reader, MetricSink out) throws Exception {
        calls.incrementAndGet();
        body.collect(netns, reader, out);
    }
}
