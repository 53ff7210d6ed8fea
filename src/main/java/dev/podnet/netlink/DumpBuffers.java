package dev.podnet.netlink;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.concurrent.ArrayBlockingQueue;

/**
 * The native memory one dump needs while it runs: the receive buffer, the request and the errno slot.
 * Lent per dump from a small pool rather than owned by a socket, because podnet keeps a socket per
 * namespace open between collections: 32 KiB per socket would be 64 MiB at 1000 namespaces, while only
 * as many buffers as dumps run at once are ever in use.
 *
 * <p>The memory belongs to an automatic arena: usable from any thread (a cached socket serves whichever
 * collection thread comes next), freed by the garbage collector once a buffer set is dropped.
 */
final class DumpBuffers {
    /**
     * The kernel fills a dump datagram up to the reader's buffer size, at most 32 KiB; a single message of
     * the dumps we ask for (no socket extensions, no VF info) is far smaller.
     */
    static final int RECEIVE_BYTES = 32 * 1024;
    static final int REQUEST_BYTES = 256;
    /**
     * At least as many as dumps can run at once (the engine's collection threads, one per CPU, at least
     * two); a surplus set is simply left to the garbage collector.
     */
    private static final ArrayBlockingQueue<DumpBuffers> POOL =
            new ArrayBlockingQueue<>(Math.max(16, 2 * Runtime.getRuntime().availableProcessors()));

    final MemorySegment receive;
    final MemorySegment request;
    final MemorySegment callState;

    private DumpBuffers() {
        Arena arena = Arena.ofAuto();
        this.receive = arena.allocate(RECEIVE_BYTES, 8);
        this.request = arena.allocate(REQUEST_BYTES, 8);
        this.callState = NetlinkCalls.callState(arena);
    }

    /** A buffer set for one dump; give it back with {@link #release()} when the dump is over. */
    static DumpBuffers take() {
        DumpBuffers pooled = POOL.poll();
        return pooled != null ? pooled : new DumpBuffers();
    }

    /** Back to the pool; the caller must not touch the segments (nor slices of them) afterwards. */
    void release() {
        POOL.offer(this);
    }
}
