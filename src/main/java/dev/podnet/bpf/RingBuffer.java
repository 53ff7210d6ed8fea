package dev.podnet.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Consumes a BPF ring buffer map (BPF_MAP_TYPE_RINGBUF) on a dedicated platform thread: libbpf polls
 * the map's epoll and calls back, through an FFM upcall, once per record. Each record is copied into a
 * ByteBuffer (native byte order) and handed to the handler on that thread.
 *
 * <p>The upcall never throws (an exception escaping it would end the JVM): a handler's exception is
 * counted in {@link #handlerErrors()} and the record dropped. Records the BPF side could not reserve
 * because the buffer was full never reach user space; the BPF program has to count those itself.
 */
public final class RingBuffer implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RingBuffer.class.getName());
    private static final MethodHandle NEW = Libbpf.function("ring_buffer__new",
            FunctionDescriptor.of(Libbpf.POINTER, Libbpf.INT, Libbpf.POINTER, Libbpf.POINTER, Libbpf.POINTER));
    private static final MethodHandle POLL = Libbpf.function("ring_buffer__poll",
            FunctionDescriptor.of(Libbpf.INT, Libbpf.POINTER, Libbpf.INT));
    private static final MethodHandle FREE = Libbpf.function("ring_buffer__free",
            FunctionDescriptor.ofVoid(Libbpf.POINTER));
    private static final FunctionDescriptor SAMPLE_CALLBACK =
            FunctionDescriptor.of(Libbpf.INT, Libbpf.POINTER, Libbpf.POINTER, Libbpf.LONG);
    /** How long one poll may block: bounds how long close() waits for the thread. */
    private static final int POLL_TIMEOUT_MS = 100;

    private final String name;
    private final String mapName;
    private final Consumer<ByteBuffer> handler;
    private final Arena arena = Arena.ofShared();
    private final AtomicLong records = new AtomicLong();
    private final AtomicLong handlerErrors = new AtomicLong();
    private final AtomicLong pollErrors = new AtomicLong();
    private MemorySegment ring;
    private Thread thread;
    private volatile boolean closing;

    private RingBuffer(String name, String mapName, Consumer<ByteBuffer> handler) {
        this.name = name;
        this.mapName = mapName;
        this.handler = handler;
    }

    /** Starts consuming {@code map} (a ring buffer map of a loaded object). */
    public static RingBuffer open(BpfMap map, Consumer<ByteBuffer> handler) throws BpfException {
        if (map.type() != BpfMapType.RINGBUF) {
            throw new BpfException(map.describe() + " is a " + map.type() + " map, not a ring buffer");
        }
        RingBuffer buffer = new RingBuffer(map.describe(), map.name(), handler);
        try {
            buffer.start(map.fd());
            return buffer;
        } catch (BpfException | RuntimeException e) {
            buffer.arena.close();
            throw e;
        }
    }

    private void start(int fd) throws BpfException {
        MemorySegment callback;
        try {
            MethodHandle target = MethodHandles.lookup().findVirtual(RingBuffer.class, "onRecord",
                    MethodType.methodType(int.class, MemorySegment.class, MemorySegment.class, long.class)).bindTo(this);
            callback = Libbpf.LINKER.upcallStub(target, SAMPLE_CALLBACK, arena);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException(e);
        }
        MemorySegment state = Libbpf.newCallState(arena);
        ring = LibbpfLog.capture(() -> {
            MemorySegment result;
            try {
                result = (MemorySegment) NEW.invokeExact(state, fd, callback, MemorySegment.NULL, MemorySegment.NULL);
            } catch (Throwable t) {
                throw Libbpf.callFailed("ring_buffer__new", t);
            }
            if (result.equals(MemorySegment.NULL)) {
                throw new BpfException(name + ": open ring buffer", Libbpf.errno(state), LibbpfLog.capturedSoFar());
            }
            return result;
        }).value();
        thread = Thread.ofPlatform().daemon(true).name("podnet-ringbuf-" + mapName).start(this::pollLoop);
    }

    private void pollLoop() {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = Libbpf.newCallState(call);
            while (!closing) {
                int rc = (int) POLL.invokeExact(state, ring, POLL_TIMEOUT_MS);
                if (rc < 0 && -rc != Errno.EINTR) {
                    pollErrors.incrementAndGet();
                    LOG.warning(name + ": ring buffer poll: " + Errno.describe(-rc));
                    Thread.sleep(POLL_TIMEOUT_MS); // a persistent error must not spin
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Throwable t) {
            LOG.severe(name + ": ring buffer consumer stopped: " + t);
        }
    }

    /** The sample callback: (void *ctx, void *data, size_t size). Must not throw. */
    private int onRecord(MemorySegment context, MemorySegment data, long size) {
        try {
            records.incrementAndGet();
            byte[] copy = data.reinterpret(size).toArray(ValueLayout.JAVA_BYTE);
            handler.accept(ByteBuffer.wrap(copy).order(BpfMap.order()));
        } catch (Throwable t) {
            handlerErrors.incrementAndGet();
        }
        return 0;
    }

    /** Records delivered to the handler, including those it failed on. */
    public long records() {
        return records.get();
    }

    public long handlerErrors() {
        return handlerErrors.get();
    }

    public long pollErrors() {
        return pollErrors.get();
    }

    /** Stops the thread (within one poll timeout) and frees the ring buffer. */
    @Override
    public synchronized void close() {
        if (closing) {
            return;
        }
        closing = true;
        if (thread != null) {
            boolean interrupted = false;
            while (thread.isAlive()) {
                try {
                    thread.join();
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
        try (Arena call = Arena.ofConfined()) {
            FREE.invokeExact(Libbpf.newCallState(call), ring);
        } catch (Throwable t) {
            LOG.warning(name + ": freeing ring buffer: " + t);
        }
        arena.close();
    }
}
