package dev.podnet.bpf;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The running kernel's type information (BTF, /sys/kernel/btf/vmlinux) through libbpf, for what only
 * the kernel can tell at run time: the names and values of an enum such as {@code skb_drop_reason},
 * which grows with every kernel release.
 */
public final class Btf implements AutoCloseable {
    private static final MethodHandle LOAD_VMLINUX = Libbpf.function("btf__load_vmlinux_btf",
            FunctionDescriptor.of(Libbpf.POINTER));
    private static final MethodHandle FIND_BY_NAME_KIND = Libbpf.function("btf__find_by_name_kind",
            FunctionDescriptor.of(Libbpf.INT, Libbpf.POINTER, Libbpf.POINTER, Libbpf.INT));
    private static final MethodHandle TYPE_BY_ID = Libbpf.function("btf__type_by_id",
            FunctionDescriptor.of(Libbpf.POINTER, Libbpf.POINTER, Libbpf.INT));
    private static final MethodHandle NAME_BY_OFFSET = Libbpf.function("btf__name_by_offset",
            FunctionDescriptor.of(Libbpf.POINTER, Libbpf.POINTER, Libbpf.INT));
    private static final MethodHandle FREE = Libbpf.function("btf__free",
            FunctionDescriptor.ofVoid(Libbpf.POINTER));

    /** BTF_KIND_ENUM: 32-bit values, entries {name_off, val}. */
    private static final int KIND_ENUM = 6;
    /** BTF_KIND_ENUM64 (kernel 6.0+): entries {name_off, val_lo32, val_hi32}. */
    private static final int KIND_ENUM64 = 19;
    private static final int KIND_PTR = 2;
    private static final int KIND_TYPEDEF = 8;
    private static final int KIND_FUNC_PROTO = 13;
    /** struct btf_type: name_off, info, size. */
    private static final int TYPE_HEADER_BYTES = 12;

    private MemorySegment handle;

    private Btf(MemorySegment handle) {
        this.handle = handle;
    }

    /** Loads the running kernel's BTF; fails when the kernel has none (no CONFIG_DEBUG_INFO_BTF). */
    public static Btf loadVmlinux() throws BpfException {
        Libbpf.require();
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = Libbpf.newCallState(call);
            MemorySegment btf = LibbpfLog.capture(() -> {
                MemorySegment result;
                try {
                    result = (MemorySegment) LOAD_VMLINUX.invokeExact(state);
                } catch (Throwable t) {
                    throw Libbpf.callFailed("btf__load_vmlinux_btf", t);
                }
                if (result.equals(MemorySegment.NULL)) {
                    throw new BpfException("kernel BTF: load (is /sys/kernel/btf/vmlinux there?)", Libbpf.errno(state),
                            LibbpfLog.capturedSoFar());
                }
                return result;
            }).value();
            return new Btf(btf);
        }
    }

    /**
     * The constants of a named enum (32- or 64-bit), value to name, in declaration order; an empty map
     * when the kernel has no such enum. Signedness follows the type's kind flag.
     */
    public synchronized Map<Long, String> enumValues(String enumName) throws BpfException {
        if (handle == null) {
            throw new BpfException("kernel BTF is closed");
        }
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = Libbpf.newCallState(call);
            MemorySegment name = call.allocateFrom(enumName);
            int kind = KIND_ENUM;
            int id = (int) FIND_BY_NAME_KIND.invokeExact(state, handle, name, KIND_ENUM);
            if (id < 0) {
                kind = KIND_ENUM64;
                id = (int) FIND_BY_NAME_KIND.invokeExact(state, handle, name, KIND_ENUM64);
            }
            if (id < 0) {
                return Map.of();
            }
            MemorySegment type = (MemorySegment) TYPE_BY_ID.invokeExact(state, handle, id);
            int info = type.reinterpret(TYPE_HEADER_BYTES).get(Libbpf.INT, 4);
            int count = info & 0xffff;
            boolean signed = (info >>> 31) != 0;
            int entryBytes = kind == KIND_ENUM ? 8 : 12;
            MemorySegment entries = type.reinterpret(TYPE_HEADER_BYTES + (long) count * entryBytes)
                    .asSlice(TYPE_HEADER_BYTES);
            Map<Long, String> values = new LinkedHashMap<>();
            for (int i = 0; i < count; i++) {
                long base = (long) i * entryBytes;
                int nameOffset = entries.get(Libbpf.INT, base);
                long value;
                if (kind == KIND_ENUM) {
                    int raw = entries.get(Libbpf.INT, base + 4);
                    value = signed ? raw : Integer.toUnsignedLong(raw);
                } else {
                    long low = Integer.toUnsignedLong(entries.get(Libbpf.INT, base + 4));
                    long high = Integer.toUnsignedLong(entries.get(Libbpf.INT, base + 8));
                    value = high << 32 | low;
                }
                MemorySegment text = (MemorySegment) NAME_BY_OFFSET.invokeExact(state, handle, nameOffset);
                values.putIfAbsent(value, text.reinterpret(Integer.MAX_VALUE).getString(0));
            }
            return values;
        } catch (Throwable t) {
            throw Libbpf.callFailed("reading enum " + enumName + " from kernel BTF", t);
        }
    }

    /**
     * How many arguments a tracepoint passes (its TP_PROTO), from the kernel's
     * {@code btf_trace_<name>} typedef (a pointer to a function whose first parameter is the tracepoint's
     * private data); -1 when the kernel has no such tracepoint. Arguments get added over kernel releases,
     * and a raw tracepoint program may only read the ones there are.
     */
    public synchronized int tracepointArity(String tracepoint) throws BpfException {
        if (handle == null) {
            throw new BpfException("kernel BTF is closed");
        }
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = Libbpf.newCallState(call);
            int id = (int) FIND_BY_NAME_KIND.invokeExact(state, handle, call.allocateFrom("btf_trace_" + tracepoint), KIND_TYPEDEF);
            if (id < 0) {
                return -1;
            }
            MemorySegment typedef = type(state, id);
            MemorySegment pointer = type(state, typedef.get(Libbpf.INT, 8));
            if (kind(pointer) != KIND_PTR) {
                return -1;
            }
            MemorySegment prototype = type(state, pointer.get(Libbpf.INT, 8));
            if (kind(prototype) != KIND_FUNC_PROTO) {
                return -1;
            }
            return (prototype.get(Libbpf.INT, 4) & 0xffff) - 1;
        } catch (Throwable t) {
            throw Libbpf.callFailed("reading btf_trace_" + tracepoint + " from kernel BTF", t);
        }
    }

    private MemorySegment type(MemorySegment state, int id) throws Throwable {
        return ((MemorySegment) TYPE_BY_ID.invokeExact(state, handle, id)).reinterpret(TYPE_HEADER_BYTES);
    }

    private static int kind(MemorySegment type) {
        return (type.get(Libbpf.INT, 4) >>> 24) & 0x1f;
    }

    @Override
    public synchronized void close() {
        if (handle == null) {
            return;
        }
        try (Arena call = Arena.ofConfined()) {
            FREE.invokeExact(Libbpf.newCallState(call), handle);
        } catch (Throwable t) {
            throw Libbpf.callFailed("btf__free", t);
        } finally {
            handle = null;
        }
    }
}
