package dev.podnet.bpf;

import java.io.IOException;
import java.io.InputStream;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.invoke.MethodHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A BPF ELF object (one compiled {@code .bpf.o}): opened from bytes, loaded into the kernel (maps
 * created, CO-RE relocations applied against the running kernel's BTF, programs verified), then its
 * programs attached and its maps read. Closing it detaches everything and frees the kernel objects.
 *
 * <p>Programs and maps of a closed object must not touch libbpf's freed structures, and a collection may
 * be reading a map while the probe is being closed: every use takes the read side of a lock whose write
 * side {@link #close()} holds, and fails with a {@link BpfException} once the object is closed.
 */
public final class BpfObject implements AutoCloseable {
    private static final MethodHandle OPEN_MEM = Libbpf.function("bpf_object__open_mem",
            FunctionDescriptor.of(Libbpf.POINTER, Libbpf.POINTER, Libbpf.LONG, Libbpf.POINTER));
    private static final MethodHandle LOAD = Libbpf.function("bpf_object__load",
            FunctionDescriptor.of(Libbpf.INT, Libbpf.POINTER));
    private static final MethodHandle CLOSE = Libbpf.function("bpf_object__close",
            FunctionDescriptor.ofVoid(Libbpf.POINTER));
    private static final MethodHandle FIND_PROGRAM = Libbpf.function("bpf_object__find_program_by_name",
            FunctionDescriptor.of(Libbpf.POINTER, Libbpf.POINTER, Libbpf.POINTER));
    private static final MethodHandle FIND_MAP = Libbpf.function("bpf_object__find_map_by_name",
            FunctionDescriptor.of(Libbpf.POINTER, Libbpf.POINTER, Libbpf.POINTER));
    /** struct bpf_object_open_opts up to object_name: size_t sz; const char *object_name. */
    private static final long OPEN_OPTS_BYTES = 16;

    private static final Pattern CULPRIT = Pattern.compile("\\b(prog|map) '([^']+)': (?:BPF program load failed|failed)");

    private final String name;
    /** Holds the ELF bytes, which libbpf reads in place until the object is closed. */
    private final Arena arena;
    private final MemorySegment handle;
    private final ReadWriteLock lifecycle = new ReentrantReadWriteLock();
    private final List<BpfAttachment> attachments = new ArrayList<>();
    private boolean loaded;
    private boolean closed;

    private BpfObject(String name, Arena arena, MemorySegment handle) {
        this.name = name;
        this.arena = arena;
        this.handle = handle;
    }

    /** Opens (parses, does not load) an object from its ELF bytes; {@code name} is used in messages. */
    public static BpfObject open(String name, byte[] elf) throws BpfException {
        Libbpf.require();
        Arena arena = Arena.ofShared();
        try {
            MemorySegment bytes = arena.allocate(elf.length, 8);
            MemorySegment.copy(elf, 0, bytes, java.lang.foreign.ValueLayout.JAVA_BYTE, 0, elf.length);
            MemorySegment opts = arena.allocate(OPEN_OPTS_BYTES, 8);
            opts.set(Libbpf.LONG, 0, OPEN_OPTS_BYTES);
            opts.set(Libbpf.POINTER, 8, arena.allocateFrom(name.replace(".bpf.o", "")));
            MemorySegment state = Libbpf.newCallState(arena);
            MemorySegment handle = LibbpfLog.capture(() -> {
                MemorySegment result;
                try {
                    result = (MemorySegment) OPEN_MEM.invokeExact(state, bytes, (long) elf.length, opts);
                } catch (Throwable t) {
                    throw Libbpf.callFailed("bpf_object__open_mem", t);
                }
                if (result.equals(MemorySegment.NULL)) {
                    throw new BpfException("object " + name + ": open", Libbpf.errno(state), LibbpfLog.capturedSoFar());
                }
                return result;
            }).value();
            return new BpfObject(name, arena, handle);
        } catch (BpfException | RuntimeException e) {
            arena.close();
            throw e;
        }
    }

    /** Opens an object packaged as a class-path resource, e.g. {@code bpf/tcpretrans.bpf.o}. */
    public static BpfObject openResource(String resource) throws BpfException {
        String fileName = resource.substring(resource.lastIndexOf('/') + 1);
        try (InputStream in = BpfObject.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new BpfException("object " + fileName + ": resource " + resource
                        + " is not on the class path (was the BPF build skipped?)");
            }
            return open(fileName, in.readAllBytes());
        } catch (IOException e) {
            throw new BpfException("object " + fileName + ": cannot read resource " + resource + ": " + e);
        }
    }

    public String name() {
        return name;
    }

    /**
     * Loads the object: creates its maps, relocates and verifies its programs. A rejected program's
     * verifier log ends the exception's message.
     */
    public void load() throws BpfException {
        guarded(() -> {
            if (loaded) {
                return null;
            }
            try (Arena call = Arena.ofConfined()) {
                MemorySegment state = Libbpf.newCallState(call);
                LibbpfLog.capture(() -> {
                    int rc;
                    try {
                        rc = (int) LOAD.invokeExact(state, handle);
                    } catch (Throwable t) {
                        throw Libbpf.callFailed("bpf_object__load", t);
                    }
                    if (rc < 0) {
                        String log = LibbpfLog.capturedSoFar();
                        throw new BpfException("object " + name + ": load" + culprit(log), rc, log);
                    }
                    return null;
                });
            }
            loaded = true;
            return null;
        });
    }

    /**
     * libbpf names the program or map that failed ("prog 'x': BPF program load failed", "map 'y': failed
     * to create"); the first one named leads the message so the reader need not search the log.
     */
    private static String culprit(String log) {
        Matcher m = CULPRIT.matcher(log);
        if (!m.find()) {
            return "";
        }
        return " of " + (m.group(1).equals("prog") ? "program " : "map ") + m.group(2);
    }

    public BpfProgram program(String programName) throws BpfException {
        return guarded(() -> new BpfProgram(this, programName, find(FIND_PROGRAM, "program", programName)));
    }

    public BpfMap map(String mapName) throws BpfException {
        return guarded(() -> new BpfMap(this, mapName, find(FIND_MAP, "map", mapName)));
    }

    private MemorySegment find(MethodHandle finder, String kind, String wanted) throws BpfException {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment found = (MemorySegment) finder.invokeExact(Libbpf.newCallState(call), handle, call.allocateFrom(wanted));
            if (found.equals(MemorySegment.NULL)) {
                throw new BpfException("object " + name + " has no " + kind + " named " + wanted);
            }
            return found;
        } catch (BpfException e) {
            throw e;
        } catch (Throwable t) {
            throw Libbpf.callFailed("bpf_object__find_" + kind + "_by_name", t);
        }
    }

    boolean isLoaded() {
        return loaded;
    }

    /** Keeps an attachment so that closing the object detaches it first. */
    void adopt(BpfAttachment attachment) {
        synchronized (attachments) {
            attachments.add(attachment);
        }
    }

    void forget(BpfAttachment attachment) {
        synchronized (attachments) {
            attachments.remove(attachment);
        }
    }

    /** Work on this object's native structures, refused once the object is closed. */
    @FunctionalInterface
    interface Use<T> {
        T run() throws BpfException;
    }

    <T> T guarded(Use<T> use) throws BpfException {
        lifecycle.readLock().lock();
        try {
            if (closed) {
                throw new BpfException("object " + name + " is closed");
            }
            return use.run();
        } finally {
            lifecycle.readLock().unlock();
        }
    }

    @Override
    public void close() {
        List<BpfAttachment> toClose;
        synchronized (attachments) {
            toClose = new ArrayList<>(attachments.reversed());
            attachments.clear();
        }
        for (BpfAttachment attachment : toClose) {
            attachment.close();
        }
        lifecycle.writeLock().lock();
        try {
            if (closed) {
                return;
            }
            closed = true;
            try (Arena call = Arena.ofConfined()) {
                CLOSE.invokeExact(Libbpf.newCallState(call), handle);
            } catch (Throwable t) {
                throw Libbpf.callFailed("bpf_object__close", t);
            }
            arena.close();
        } finally {
            lifecycle.writeLock().unlock();
        }
    }

    @Override
    public String toString() {
        return "BpfObject[" + name + "]";
    }
}
