package dev.podnet.probe.bpf;

import dev.podnet.bpf.BpfAttachment;
import dev.podnet.bpf.BpfException;
import dev.podnet.bpf.BpfObject;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Attaches a loaded probe's programs for {@link AttachWindow#length()} at the start of every
 * {@link AttachWindow#every()} and detaches them in between. On the reference VM a program run costs the
 * data path about 0.1 µs whatever the program does (BENCHMARKS.md: empty programs, getppid loop), so for
 * programs that run per packet or per softirq nothing but not running saves more.
 *
 * <p>Hooks are attached in the probe's order (ends before starts) and detached in reverse, so a start
 * seen is always ended. Before each window {@code resetState} clears the programs' state: a timestamp
 * left from an earlier window (a raise whose softirq ran while detached) must not pair with an event of
 * this one. No program runs then, so the reset races with nothing.
 */
final class WindowedHooks implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(WindowedHooks.class.getName());

    /** Clears a probe's per-CPU state and in-flight maps while its programs are detached. */
    @FunctionalInterface
    interface StateReset {
        void reset(BpfObject object) throws BpfException;
    }

    private final String probe;
    private final BpfObject object;
    private final List<TracepointHooks.Hook> hooks;
    private final StateReset resetState;
    private final ScheduledExecutorService timer;
    private final List<BpfAttachment> attached = new ArrayList<>();
    private volatile BpfException failure;

    private WindowedHooks(String probe, BpfObject object, List<TracepointHooks.Hook> hooks, StateReset resetState) {
        this.probe = probe;
        this.object = object;
        this.hooks = List.copyOf(hooks);
        this.resetState = resetState;
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon()
                .name("podnet-" + probe + "-window").factory());
    }

    /** Attaches now (so that a hook that cannot attach fails the start) and keeps cycling until closed. */
    static WindowedHooks start(String probe, BpfObject object, List<TracepointHooks.Hook> hooks, AttachWindow window,
                               StateReset resetState) throws BpfException {
        WindowedHooks windows = new WindowedHooks(probe, object, hooks, resetState);
        try {
            windows.attach();
        } catch (BpfException e) {
            windows.close();
            throw e;
        }
        long every = window.every().toNanos();
        windows.timer.scheduleAtFixedRate(windows::detach, window.length().toNanos(), every, TimeUnit.NANOSECONDS);
        windows.timer.scheduleAtFixedRate(windows::nextWindow, every, every, TimeUnit.NANOSECONDS);
        return windows;
    }

    private synchronized void attach() throws BpfException {
        resetState.reset(object);
        try {
            for (TracepointHooks.Hook hook : hooks) {
                attached.add(RawTracepointObject.attach(object, hook));
            }
        } catch (BpfException e) {
            detach();
            throw e;
        }
    }

    private synchronized void nextWindow() {
        if (!attached.isEmpty()) {
            return;
        }
        try {
            attach();
        } catch (BpfException e) {
            // the next collection reports it; the next window tries again
            failure = e;
            LOG.warning(probe + ": window not attached: " + e.getMessage());
        }
    }

    private synchronized void detach() {
        for (BpfAttachment attachment : attached.reversed()) {
            attachment.close();
        }
        attached.clear();
    }

    /** Throws (once) what went wrong when attaching a window since the last call. */
    void rethrowFailure() throws BpfException {
        BpfException e = failure;
        if (e != null) {
            failure = null;
            throw e;
        }
    }

    /** Stops the cycle and detaches; the object stays open (its owner closes it). */
    @Override
    public void close() {
        timer.shutdownNow();
        try {
            timer.awaitTermination(5, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        detach();
    }
}
