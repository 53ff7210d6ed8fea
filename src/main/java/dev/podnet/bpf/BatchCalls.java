package dev.podnet.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.function.BiConsumer;

/**
 * The batch map syscalls (BPF_MAP_LOOKUP_BATCH, BPF_MAP_DELETE_BATCH, Linux 5.6+): thousands of entries
 * per system call instead of two calls per entry, for maps that user space drains whole (flows).
 */
final class BatchCalls {
    private static final MethodHandle LOOKUP_BATCH = Libbpf.function("bpf_map_lookup_batch",
            FunctionDescriptor.of(Libbpf.INT, Libbpf.INT, Libbpf.POINTER, Libbpf.POINTER, Libbpf.POINTER, Libbpf.POINTER,
                    Libbpf.POINTER, Libbpf.POINTER));
    private static final MethodHandle DELETE_BATCH = Libbpf.function("bpf_map_delete_batch",
            FunctionDescriptor.of(Libbpf.INT, Libbpf.INT, Libbpf.POINTER, Libbpf.POINTER, Libbpf.POINTER));
    /** Entries per call: a hash bucket never holds this many, so ENOSPC (bucket larger than the batch) cannot happen. */
    static final int CHUNK = 4096;

    private BatchCalls() {
    }

    /**
     * Calls {@code each} with every (key, value) of the map; the kernel walks it bucket by bucket, so an
     * entry added or deleted meanwhile may or may not be seen, but none is seen twice.
     */
    static void lookupAll(String map, int fd, int keySize, int valueSize, BiConsumer<MemorySegment, MemorySegment> each)
            throws BpfException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = Libbpf.newCallState(call);
            MemorySegment keys = call.allocate((long) keySize * CHUNK, 8);
            MemorySegment values = call.allocate((long) valueSize * CHUNK, 8);
            MemorySegment count = call.allocate(ValueLayout.JAVA_INT);
            // The position token: a bucket index for hashes; sized like a key, as libbpf's callers do.
            MemorySegment in = call.allocate(Math.max(keySize, 8), 8);
            MemorySegment out = call.allocate(Math.max(keySize, 8), 8);
            boolean first = true;
            while (true) {
                count.set(ValueLayout.JAVA_INT, 0, CHUNK);
                MemorySegment from = first ? MemorySegment.NULL : in;
                int rc;
                try {
                    rc = (int) LOOKUP_BATCH.invokeExact(state, fd, from, out, keys, values, count, MemorySegment.NULL);
                } catch (Throwable t) {
                    throw Libbpf.callFailed("bpf_map_lookup_batch", t);
                }
                if (rc < 0 && rc != -Errno.ENOENT) {
                    throw new BpfException(map + ": batch lookup", rc, "");
                }
                int n = count.get(ValueLayout.JAVA_INT, 0);
                for (int i = 0; i < n; i++) {
                    each.accept(keys.asSlice((long) i * keySize, keySize), values.asSlice((long) i * valueSize, valueSize));
                }
                if (rc == -Errno.ENOENT) {
                    return; // the walk is complete
                }
                MemorySegment.copy(out, 0, in, 0, in.byteSize());
                first = false;
            }
        }
    }

    /** Deletes the keys (each {@code keySize} bytes, back to back); keys no longer there are skipped. */
    static void deleteAll(String map, int fd, int keySize, byte[] packedKeys) throws BpfException {
        int total = packedKeys.length / keySize;
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = Libbpf.newCallState(call);
            MemorySegment keys = call.allocate((long) keySize * Math.min(total, CHUNK), 8);
            MemorySegment count = call.allocate(ValueLayout.JAVA_INT);
            for (int from = 0; from < total; from += CHUNK) {
                int n = Math.min(CHUNK, total - from);
                MemorySegment.copy(packedKeys, from * keySize, keys, ValueLayout.JAVA_BYTE, 0, n * keySize);
                count.set(ValueLayout.JAVA_INT, 0, n);
                int rc;
                try {
                    rc = (int) DELETE_BATCH.invokeExact(state, fd, keys, count, MemorySegment.NULL);
                } catch (Throwable t) {
                    throw Libbpf.callFailed("bpf_map_delete_batch", t);
                }
                if (rc == -Errno.ENOENT) {
                    // a key gone meanwhile stops the batch there: delete the rest one by one
                    int done = count.get(ValueLayout.JAVA_INT, 0);
                    deleteEach(map, fd, keySize, keys.asSlice((long) (done + 1) * keySize, (long) (n - done - 1) * keySize));
                } else if (rc < 0) {
                    throw new BpfException(map + ": batch delete", rc, "");
                }
            }
        }
    }

    private static void deleteEach(String map, int fd, int keySize, MemorySegment keys) throws BpfException {
        try (Arena call = Arena.ofConfined()) {
            MapCalls calls = new MapCalls(call, map, fd, keySize, 1);
            for (long at = 0; at + keySize <= keys.byteSize(); at += keySize) {
                calls.delete(keys.asSlice(at, keySize));
            }
        }
    }
}
