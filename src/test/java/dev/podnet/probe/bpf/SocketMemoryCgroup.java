package dev.podnet.probe.bpf;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.ThreadLocalRandom;

/**
 * A cgroup v1 memory cgroup with a small socket memory limit ({@code memory.kmem.tcp.limit_in_bytes}),
 * for tests that need the kernel to refuse socket memory: only sockets created by processes in this
 * cgroup are charged to it, so the rest of the host keeps its normal limits. (The protocols' own limits,
 * net.ipv4.tcp_mem and udp_mem, are global: lowering them would starve every socket on the machine.)
 * Removed on close once its processes are gone.
 */
final class SocketMemoryCgroup implements AutoCloseable {
    private static final Path V1_MEMORY = Path.of("/sys/fs/cgroup/memory");

    private final Path dir;

    /** Skips the calling test, with the reason, unless cgroup v1's memory controller with socket limits is mounted. */
    static void assumeAvailable() {
        assumeTrue(Files.exists(V1_MEMORY.resolve("memory.kmem.tcp.limit_in_bytes")),
                "needs the cgroup v1 memory controller at " + V1_MEMORY + " with memory.kmem.tcp.limit_in_bytes "
                        + "(the socket memory limit this test sets; cgroup v2 has no socket-only limit)");
    }

    SocketMemoryCgroup(long socketMemoryLimitBytes) throws IOException {
        dir = V1_MEMORY.resolve("podnet-test-" + Integer.toHexString(ThreadLocalRandom.current().nextInt(0x10000, 0xfffff)));
        Files.createDirectory(dir);
        try {
            // setting the limit is what turns on socket accounting for this cgroup's new sockets
            Files.writeString(dir.resolve("memory.kmem.tcp.limit_in_bytes"), Long.toString(socketMemoryLimitBytes));
        } catch (IOException e) {
            Files.deleteIfExists(dir);
            throw e;
        }
    }

    /** The file a process writes its pid into to join: {@code echo $$ > <this>} in a shell. */
    Path procsFile() {
        return dir.resolve("cgroup.procs");
    }

    /** The most socket memory the cgroup held at once, in bytes. */
    long peakSocketMemoryBytes() throws IOException {
        return Long.parseLong(Files.readString(dir.resolve("memory.kmem.tcp.max_usage_in_bytes")).strip());
    }

    /** Waits (up to 10 s) for the cgroup's processes to exit, then removes it; callers kill them first. */
    @Override
    public void close() throws IOException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(10));
        while (!Files.readString(procsFile()).isBlank() && Instant.now().isBefore(deadline)) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        Files.delete(dir); // rmdir: the kernel refuses while processes remain, and says so
    }
}
