package dev.podnet.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/**
 * The map syscalls (libbpf's bpf_map_* wrappers) for one map during one operation, with key and value
 * buffers from the operation's arena.
 */
final class MapCalls {
    private static final MethodHandle LOOKUP = Libbpf.function("bpf_map_lookup_elem",
            FunctionDescriptor.of(Libbpf.INT, Libbpf.INT, Libbpf.POINTER, Libbpf.POINTER));
    private static final MethodHandle UPDATE = Libbpf.function("bpf_map_update_elem",
            FunctionDescriptor.of(Libbpf.INT, Libbpf.INT, Libbpf.POINTER, Libbpf.POINTER, Libbpf.LONG));
    private static final MethodHandle DELETE = Libbpf.function("bpf_map_delete_elem",
            FunctionDescriptor.of(Libbpf.INT, Libbpf.INT, Libbpf.POINTER));
    private static final MethodHandle NEXT_KEY = Libbpf.function("bpf_map_get_next_key",
            FunctionDescriptor.of(Libbpf.INT, Libbpf.INT, Libbpf.POINTER, Libbpf.POINTER));
    private static final long BPF_ANY = 0;

    private final Arena arena;
    private final String map;
    private final int fd;
    private final int keySize;
    private final MemorySegment state;
    private final MemorySegment value;

    MapCalls(Arena arena, String map, int fd, int keySize, int valueBytes) {
        this.arena = arena;
        this.map = map;
        this.fd = fd;
        this.keySize = keySize;
        this.state = Libbpf.newCallState(arena);
        this.value = arena.allocate(Math.max(valueBytes, 1), 8);
    }

    MemorySegment newKey() {
        return arena.allocate(Math.max(keySize, 1), 8);
    }

    MemorySegment key(byte[] key) throws BpfException {
        if (key.length != keySize) {
            throw new BpfException(map + ": key of " + key.length + " bytes, the map's keys have " + keySize);
        }
        MemorySegment segment = newKey();
        MemorySegment.copy(key, 0, segment, ValueLayout.JAVA_BYTE, 0, key.length);
        return segment;
    }

    /** The value under the key, or null when there is none. */
    byte[] lookup(MemorySegment key) throws BpfException {
        int rc;
        try {
            rc = (int) LOOKUP.invokeExact(state, fd, key, value);
        } catch (Throwable t) {
            throw Libbpf.callFailed("bpf_map_lookup_elem", t);
        }
        if (rc == -Errno.ENOENT) {
            return null;
        }
        if (rc < 0) {
            throw new BpfException(map + ": lookup", rc, "");
        }
        return value.toArray(ValueLayout.JAVA_BYTE);
    }

    void update(MemorySegment key, byte[] newValue) throws BpfException {
        if (newValue.length != value.byteSize()) {
            throw new BpfException(map + ": value of " + newValue.length + " bytes, the map needs " + value.byteSize());
        }
        MemorySegment.copy(newValue, 0, value, ValueLayout.JAVA_BYTE, 0, newValue.length);
        int rc;
        try {
            rc = (int) UPDATE.invokeExact(state, fd, key, value, BPF_ANY);
        } catch (Throwable t) {
            throw Libbpf.callFailed("bpf_map_update_elem", t);
        }
        if (rc < 0) {
            throw new BpfException(map + ": update", rc, "");
        }
    }

    boolean delete(MemorySegment key) throws BpfException {
        int rc;
        try {
            rc = (int) DELETE.invokeExact(state, fd, key);
        } catch (Throwable t) {
            throw Libbpf.callFailed("bpf_map_delete_elem", t);
        }
        if (rc == -Errno.ENOENT) {
            return false;
        }
        if (rc < 0) {
            throw new BpfException(map + ": delete", rc, "");
        }
        return true;
    }

    /** Writes the key after {@code current} (the first key when null) into {@code next}; false at the end. */
    boolean nextKey(MemorySegment current, MemorySegment next) throws BpfException {
        MemorySegment after = current == null ? MemorySegment.NULL : current;
        int rc;
        try {
            rc = (int) NEXT_KEY.invokeExact(state, fd, after, next);
        } catch (Throwable t) {
            throw Libbpf.callFailed("bpf_map_get_next_key", t);
        }
        if (rc == -Errno.ENOENT) {
            return false;
        }
        if (rc < 0) {
            throw new BpfException(map + ": next key", rc, "");
        }
        return true;
    }
}
