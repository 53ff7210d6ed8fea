package dev.podnet.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The agent pins glibc's mmap threshold; what it saves is measured by bench/collection.sh (BENCHMARKS.md). */
class MallocThresholdTest {
    @Test
    void glibcAcceptsThePinnedThreshold() throws Exception {
        assumeTrue(Files.exists(Path.of("/lib/x86_64-linux-gnu/libc.so.6")) || Files.exists(Path.of("/lib64/libc.so.6")),
                "needs glibc (mallopt(M_MMAP_THRESHOLD))");
        assertTrue(MallocThreshold.pin(), "mallopt(M_MMAP_THRESHOLD, 128 KiB) returned 1");
    }
}
