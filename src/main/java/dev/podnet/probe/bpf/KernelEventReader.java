package dev.podnet.probe.bpf;

import dev.podnet.bpf.BpfException;
import dev.podnet.bpf.BpfMap;
import dev.podnet.bpf.BpfObject;
import dev.podnet.bpf.RingBuffer;
import dev.podnet.probe.EventEmitter;
import dev.podnet.probe.MetricSink;
import dev.podnet.probe.ProbeEvent;
import java.nio.ByteBuffer;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.logging.Logger;

/**
 * Reads a probe's event ring buffer (events.h) on the ring buffer's own thread, turns each record into a
 * {@link ProbeEvent} and hands it to the emitter, which never blocks. A record that cannot be decoded or
 * turned into an event is counted as lost, never fatal. Once a second (and on close) it reads the
 * kernel's per-CPU loss counts and reports what is new with {@link EventEmitter#lost}.
 */
final class KernelEventReader implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(KernelEventReader.class.getName());
    private static final String CPUS_MAP = "event_cpus";
    /** Offsets in struct event_cpu. */
    private static final int LOST_FULL = 16;
    private static final int LOST_RATE = 24;
    private static final ScheduledExecutorService LOSS_CHECKS = Executors.newSingleThreadScheduledExecutor(
            Thread.ofPlatform().daemon().name("podnet-event-losses").factory());

    private final String probe;
    private final EventEmitter emitter;
    private final Records records;
    private final BpfMap cpus;
    private long reportedFull;
    private long reportedRate;
    private long reportedUndecodable;
    private RingBuffer ring;
    private ScheduledFuture<?> lossCheck;
    private boolean closed;

    private KernelEventReader(String probe, EventEmitter emitter, Function<KernelEventRecord, ProbeEvent> convert,
                              BpfMap cpus) {
        this.probe = probe;
        this.emitter = emitter;
        this.records = new Records(probe, emitter, convert);
        this.cpus = cpus;
    }

    /**
     * Starts reading the loaded object's ring buffer.
     *
     * @param convert makes the event of a record, or null to skip it; runs on the reader thread
     */
    static KernelEventReader start(String probe, BpfObject object, EventEmitter emitter,
                                   Function<KernelEventRecord, ProbeEvent> convert) throws BpfException {
        KernelEventReader reader = new KernelEventReader(probe, emitter, convert, object.map(CPUS_MAP));
        reader.ring = RingBuffer.open(object.map(KernelEventConfig.RING), reader.records);
        reader.lossCheck = LOSS_CHECKS.scheduleWithFixedDelay(reader::reportLosses, 1, 1, TimeUnit.SECONDS);
        return reader;
    }

    /**
     * What the reader thread does with each record: decode, convert, emit. Never throws; a record it cannot
     * decode or convert is counted (and reported as lost), the next one is read as usual.
     */
    static final class Records implements Consumer<ByteBuffer> {
        private final String probe;
        private final EventEmitter emitter;
        private final Function<KernelEventRecord, ProbeEvent> convert;
        private final AtomicLong undecodable = new AtomicLong();
        private final AtomicLong emitted = new AtomicLong();

        Records(String probe, EventEmitter emitter, Function<KernelEventRecord, ProbeEvent> convert) {
            this.probe = probe;
            this.emitter = emitter;
            this.convert = convert;
        }

        @Override
        public void accept(ByteBuffer record) {
            ProbeEvent event;
            try {
                event = convert.apply(KernelEventRecord.decode(record));
            } catch (RuntimeException e) {
                if (undecodable.getAndIncrement() == 0) {
                    LOG.warning(probe + ": an event record could not be read (counted as lost from now on): " + e);
                }
                return;
            }
            if (event != null) {
                emitted.incrementAndGet();
                emitter.emit(event);
            }
        }

        long undecodable() {
            return undecodable.get();
        }

        long emitted() {
            return emitted.get();
        }
    }

    /** Reports the losses since the last report; never throws. */
    synchronized void reportLosses() {
        if (closed) {
            return;
        }
        try {
            long[] lost = kernelLosses();
            long bad = records.undecodable();
            long delta = lost[0] - reportedFull + lost[1] - reportedRate + bad - reportedUndecodable;
            reportedFull = lost[0];
            reportedRate = lost[1];
            reportedUndecodable = bad;
            if (delta > 0) {
                emitter.lost(probe, delta);
            }
        } catch (BpfException | RuntimeException e) {
            LOG.warning(probe + ": reading the event loss counts: " + e.getMessage());
        }
    }

    /** {lost because the ring buffer was full, lost to the per-CPU rate}, summed over the CPUs. */
    private long[] kernelLosses() throws BpfException {
        byte[] value = cpus.lookup(new byte[Integer.BYTES]);
        if (value == null) {
            return new long[] {reportedFull, reportedRate};
        }
        return new long[] {cpus.sumLong(value, LOST_FULL), cpus.sumLong(value, LOST_RATE)};
    }

    /** podnet_bpf_events_lost_total and podnet_bpf_events_total of this probe. */
    synchronized void export(MetricSink out) throws BpfException {
        if (closed) {
            return;
        }
        long[] lost = kernelLosses();
        String help = "Events a podnet BPF probe lost before they reached the event pipeline, by cause (ring_buffer: "
                + "its buffer was full; rate: over probeSettings.<probe>.eventsPerSecond on one CPU; undecodable).";
        out.counter("podnet_bpf_events_lost_total", help, lost[0], "probe", probe, "cause", "ring_buffer");
        out.counter("podnet_bpf_events_lost_total", help, lost[1], "probe", probe, "cause", "rate");
        out.counter("podnet_bpf_events_lost_total", help, records.undecodable(), "probe", probe, "cause", "undecodable");
        out.counter("podnet_bpf_events_total", "Events a podnet BPF probe read from its ring buffer and handed on.",
                records.emitted(), "probe", probe);
    }

    /** Stops reading (the object must still be open) and reports the last losses. */
    @Override
    public void close() {
        lossCheck.cancel(false);
        ring.close();
        reportLosses();
        synchronized (this) {
            closed = true;
        }
    }
}
