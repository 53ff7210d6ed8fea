package dev.podnet.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Walks a map's keys with bpf_map_get_next_key, like {@link BpfMap#entries()}, which cannot be used as
 * of this writing: {@code MapCalls.nextKey} passes {@code current == null ? MemorySegment.NULL : current}
 * straight to {@code invokeExact}, and javac types that conditional as Object for a signature-polymorphic
 * call, so every call fails with WrongMethodTypeException ("found (MemorySegment,int,Object,MemorySegment)int").
 * Here the argument is a plain MemorySegment variable. Delete this class once MapCalls is fixed.
 *
 * <p>The caller keeps the map's object open during the walk (a probe's collection holds its own lock
 * against close). Same guarantees as {@link BpfMap#entries()}: keys seen twice (the kernel restarts a
 * hash walk when the current key is deleted) are skipped and the walk stops after max_entries keys.
 */
public final class MapKeyWalk {
    private static final MethodHandle NEXT_KEY = Libbpf.function("bpf_map_get_next_key",
            FunctionDescriptor.of(Libbpf.INT, Libbpf.INT, Libbpf.POINTER, Libbpf.POINTER));

    private MapKeyWalk() {
    }

    /** Every key and its value (all CPUs' slots for per-CPU maps). */
    public static List<BpfMap.Entry> entries(BpfMap map) throws BpfException {
        List<BpfMap.Entry> entries = new ArrayList<>();
        for (byte[] key : keys(map)) {
            byte[] value = map.lookup(key);
            if (value != null) { // deleted since we saw its key
                entries.add(new BpfMap.Entry(key, value));
            }
        }
        return entries;
    }

    public static List<byte[]> keys(BpfMap map) throws BpfException {
        int limit = map.maxEntries();
        int keySize = map.keySize();
        int fd = map.fd();
        List<byte[]> keys = new ArrayList<>();
        Set<ByteBuffer> seen = new HashSet<>();
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment state = Libbpf.newCallState(arena);
            MemorySegment current = MemorySegment.NULL;
            MemorySegment next = arena.allocate(Math.max(keySize, 1), 8);
            MemorySegment spare = arena.allocate(Math.max(keySize, 1), 8);
            int steps = 0;
            while (keys.size() < limit && steps++ < 2 * limit + 16) {
                int rc;
                try {
                    rc = (int) NEXT_KEY.invokeExact(state, fd, current, next);
                } catch (Throwable t) {
                    throw Libbpf.callFailed("bpf_map_get_next_key", t);
                }
                if (rc == -Errno.ENOENT) {
                    break;
                }
                if (rc < 0) {
                    throw new BpfException(map + ": next key", rc, "");
                }
                byte[] key = next.toArray(ValueLayout.JAVA_BYTE);
                if (seen.add(ByteBuffer.wrap(key))) {
                    keys.add(key);
                }
                // the key just read becomes the cursor; the old cursor's buffer receives the next key
                MemorySegment cursor = next;
                next = current.equals(MemorySegment.NULL) ? spare : current;
                current = cursor;
            }
        }
        return keys;
    }
}
