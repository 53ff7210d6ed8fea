package dev.podnet.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiConsumer;

/**
 * One map of a {@link BpfObject}. Keys and values are raw bytes in the kernel's (native) byte order;
 * see {@link #order()}. A per-CPU map's value holds one slot per possible CPU, each
 * {@link #valueStride()} bytes (the value size rounded up to 8), as the kernel hands them out.
 */
public final class BpfMap {
    private static final MethodHandle FD = fn("bpf_map__fd", FunctionDescriptor.of(Libbpf.INT, Libbpf.POINTER));
    private static final MethodHandle TYPE = fn("bpf_map__type", FunctionDescriptor.of(Libbpf.INT, Libbpf.POINTER));
    private static final MethodHandle KEY_SIZE = fn("bpf_map__key_size", FunctionDescriptor.of(Libbpf.INT, Libbpf.POINTER));
    private static final MethodHandle VALUE_SIZE = fn("bpf_map__value_size", FunctionDescriptor.of(Libbpf.INT, Libbpf.POINTER));
    private static final MethodHandle MAX_ENTRIES = fn("bpf_map__max_entries", FunctionDescriptor.of(Libbpf.INT, Libbpf.POINTER));
    private static final MethodHandle SET_MAX_ENTRIES = fn("bpf_map__set_max_entries",
            FunctionDescriptor.of(Libbpf.INT, Libbpf.POINTER, Libbpf.INT));
    private static final MethodHandle SET_INITIAL_VALUE = fn("bpf_map__set_initial_value",
            FunctionDescriptor.of(Libbpf.INT, Libbpf.POINTER, Libbpf.POINTER, Libbpf.LONG));

    private final BpfObject object;
    private final String name;
    private final MemorySegment handle;
    /** Fixed once the object is open; kept so that reading thousands of values costs no extra calls. */
    private final BpfMapType type;
    private final int keySize;
    private final int valueSize;

    /** Called by {@link BpfObject#map} with the object's lock held. */
    BpfMap(BpfObject object, String name, MemorySegment handle) throws BpfException {
        this.object = object;
        this.name = name;
        this.handle = handle;
        this.type = BpfMapType.of(attribute(TYPE));
        this.keySize = attribute(KEY_SIZE);
        this.valueSize = attribute(VALUE_SIZE);
    }

    private static MethodHandle fn(String name, FunctionDescriptor descriptor) {
        return Libbpf.function(name, descriptor);
    }

    public String name() {
        return name;
    }

    public static ByteOrder order() {
        return ByteOrder.nativeOrder();
    }

    public BpfMapType type() {
        return type;
    }

    public int keySize() {
        return keySize;
    }

    /** Size of one value; of one CPU's slot for per-CPU maps. */
    public int valueSize() {
        return valueSize;
    }

    public int maxEntries() throws BpfException {
        return attribute(MAX_ENTRIES);
    }

    /** Bytes between two CPUs' slots in a per-CPU value. */
    public int valueStride() {
        return (valueSize() + 7) & ~7;
    }

    /** Bytes of a whole value as lookups return it: all CPUs' slots for a per-CPU map. */
    public int valueBufferSize() throws BpfException {
        return type().perCpu() ? valueStride() * PossibleCpus.count() : valueSize();
    }

    /** Resizes the map; only before the object is loaded. */
    public void setMaxEntries(int entries) throws BpfException {
        object.guarded(() -> {
            try (Arena call = Arena.ofConfined()) {
                int rc = (int) SET_MAX_ENTRIES.invokeExact(Libbpf.newCallState(call), handle, entries);
                if (rc < 0) {
                    throw new BpfException(describe() + ": set max_entries to " + entries, rc, "");
                }
                return null;
            } catch (BpfException e) {
                throw e;
            } catch (Throwable t) {
                throw Libbpf.callFailed("bpf_map__set_max_entries", t);
            }
        });
    }

    /**
     * Replaces the whole contents of a global-data map ({@code .rodata}, {@code .data}) before the object
     * is loaded: how user space sets a program's {@code const volatile} constants, which the verifier
     * then knows. {@code value} must be exactly {@link #valueSize()} bytes.
     */
    public void setInitialValue(byte[] value) throws BpfException {
        if (value.length != valueSize) {
            throw new BpfException(describe() + ": initial value of " + value.length + " bytes, the map holds "
                    + valueSize);
        }
        object.guarded(() -> {
            try (Arena call = Arena.ofConfined()) {
                MemorySegment data = call.allocateFrom(ValueLayout.JAVA_BYTE, value);
                int rc = (int) SET_INITIAL_VALUE.invokeExact(Libbpf.newCallState(call), handle, data, (long) value.length);
                if (rc < 0) {
                    throw new BpfException(describe() + ": set initial value", rc, "");
                }
                return null;
            } catch (BpfException e) {
                throw e;
            } catch (Throwable t) {
                throw Libbpf.callFailed("bpf_map__set_initial_value", t);
            }
        });
    }

    /** The map's file descriptor; the object must be loaded. */
    int fd() throws BpfException {
        int fd = attribute(FD);
        if (fd < 0) {
            throw new BpfException(describe() + ": no file descriptor (object not loaded?)");
        }
        return fd;
    }

    /** The value stored under {@code key}, or null when there is none. */
    public byte[] lookup(byte[] key) throws BpfException {
        return object.guarded(() -> {
            try (Arena call = Arena.ofConfined()) {
                MapCalls calls = new MapCalls(call, describe(), fd(), keySize(), valueBufferSize());
                return calls.lookup(calls.key(key));
            }
        });
    }

    public void update(byte[] key, byte[] value) throws BpfException {
        object.guarded(() -> {
            try (Arena call = Arena.ofConfined()) {
                MapCalls calls = new MapCalls(call, describe(), fd(), keySize(), valueBufferSize());
                calls.update(calls.key(key), value);
                return null;
            }
        });
    }

    /** Deletes the entry; false when there was none. */
    public boolean delete(byte[] key) throws BpfException {
        return object.guarded(() -> {
            try (Arena call = Arena.ofConfined()) {
                MapCalls calls = new MapCalls(call, describe(), fd(), keySize(), valueBufferSize());
                return calls.delete(calls.key(key));
            }
        });
    }

    /** A key and its value, copied out of the kernel. */
    public record Entry(byte[] key, byte[] value) {
        public ByteBuffer keyBuffer() {
            return ByteBuffer.wrap(key).order(order());
        }

        public ByteBuffer valueBuffer() {
            return ByteBuffer.wrap(value).order(order());
        }
    }

    /**
     * Every entry, read key by key. The kernel may add or delete entries meanwhile (hash iteration then
     * restarts from the first bucket), so keys already seen are skipped and the walk stops after
     * max_entries distinct keys: the result is a consistent-enough snapshot that never loops.
     */
    public List<Entry> entries() throws BpfException {
        return object.guarded(() -> {
            try (Arena call = Arena.ofConfined()) {
                MapCalls calls = new MapCalls(call, describe(), fd(), keySize(), valueBufferSize());
                List<Entry> entries = new ArrayList<>();
                for (byte[] key : keys(calls)) {
                    byte[] value = calls.lookup(calls.key(key));
                    if (value != null) { // deleted since we saw its key
                        entries.add(new Entry(key, value));
                    }
                }
                return entries;
            }
        });
    }

    /**
     * Walks every entry with the batch syscall, thousands per call, handing each key and value to
     * {@code each} as segments valid only during the call. For plain (not per-CPU) maps that are drained
     * whole. An entry added or deleted meanwhile may or may not be seen; none is seen twice.
     */
    public void forEachBatched(BiConsumer<MemorySegment, MemorySegment> each) throws BpfException {
        object.guarded(() -> {
            BatchCalls.lookupAll(describe(), fd(), keySize, valueSize, each);
            return null;
        });
    }

    /** Deletes the keys ({@link #keySize()} bytes each, back to back), a batch per call; absent keys are skipped. */
    public void deleteBatched(byte[] packedKeys) throws BpfException {
        if (packedKeys.length % keySize != 0) {
            throw new BpfException(describe() + ": " + packedKeys.length + " bytes of keys, not a multiple of " + keySize);
        }
        if (packedKeys.length == 0) {
            return;
        }
        object.guarded(() -> {
            BatchCalls.deleteAll(describe(), fd(), keySize, packedKeys);
            return null;
        });
    }

    /** Every key, with the same guarantees as {@link #entries()}; for counting and sweeping. */
    public List<byte[]> keys() throws BpfException {
        return object.guarded(() -> {
            try (Arena call = Arena.ofConfined()) {
                return keys(new MapCalls(call, describe(), fd(), keySize(), valueBufferSize()));
            }
        });
    }

    private List<byte[]> keys(MapCalls calls) throws BpfException {
        int limit = maxEntries();
        List<byte[]> keys = new ArrayList<>();
        Set<ByteBuffer> seen = new HashSet<>();
        MemorySegment current = null;
        MemorySegment next = calls.newKey();
        int steps = 0;
        while (keys.size() < limit && steps++ < 2 * limit + 16 && calls.nextKey(current, next)) {
            byte[] key = next.toArray(ValueLayout.JAVA_BYTE);
            if (seen.add(ByteBuffer.wrap(key))) {
                keys.add(key);
            }
            current = calls.key(key);
        }
        return keys;
    }

    /** Sums a 64-bit counter at {@code offset} of every CPU's slot of a per-CPU value (or reads it once). */
    public long sumLong(byte[] value, int offset) {
        ByteBuffer buffer = ByteBuffer.wrap(value).order(order());
        if (!type.perCpu()) {
            return buffer.getLong(offset);
        }
        int stride = valueStride();
        long sum = 0;
        for (int slot = 0; slot + offset + 8 <= value.length; slot += stride) {
            sum += buffer.getLong(slot + offset);
        }
        return sum;
    }

    private int attribute(MethodHandle getter) throws BpfException {
        return object.guarded(() -> {
            try (Arena call = Arena.ofConfined()) {
                return (int) getter.invokeExact(Libbpf.newCallState(call), handle);
            } catch (Throwable t) {
                throw Libbpf.callFailed("bpf_map__ attribute of " + name, t);
            }
        });
    }

    String describe() {
        return "map " + name + " of " + object.name();
    }

    @Override
    public String toString() {
        return describe();
    }
}
