package dev.podnet.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * A procfs root in a temp directory for probe tests: pid directories whose {@code ns/net} links name a
 * namespace inode, with fixture files under them, and an empty netns directory. Feed {@link #yaml} to
 * {@link TestAgent} and the real discovery and engine run against it. Deleted on close.
 */
public final class FakeProcfs implements AutoCloseable {
    /** The host's namespace inode in fake roots; pid 1 lives in it. */
    public static final long HOST_INODE = 4026531993L;

    private final Path base;
    private final Path root;
    private final Path netnsDir;

    public FakeProcfs() throws IOException {
        base = Files.createTempDirectory("podnet-fakeproc");
        root = Files.createDirectories(base.resolve("proc"));
        netnsDir = Files.createDirectories(base.resolve("netns"));
    }

    public Path root() {
        return root;
    }

    /** Creates {@code /proc/<pid>} in the namespace {@code inode}. */
    public Path pid(int pid, long inode) throws IOException {
        Path dir = Files.createDirectories(root.resolve(Integer.toString(pid)));
        Path ns = Files.createDirectories(dir.resolve("ns"));
        Files.deleteIfExists(ns.resolve("net"));
        Files.createSymbolicLink(ns.resolve("net"), Path.of("net:[" + inode + "]"));
        Files.writeString(dir.resolve("comm"), "proc" + pid + "\n");
        return dir;
    }

    /** Copies fixture {@code fixture} to {@code <root>/<relative>}, e.g. ("4.19/net/snmp", "100/net/snmp"). */
    public FakeProcfs fixture(String fixture, String relative) throws IOException {
        Fixtures.copy(fixture, root.resolve(relative));
        return this;
    }

    /** Writes {@code text} to {@code <root>/<relative>}. */
    public FakeProcfs write(String relative, String text) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.writeString(file, text);
        return this;
    }

    /** A symlink {@code <root>/<relative>} pointing at {@code target} (fd entries, ns links). */
    public FakeProcfs link(String relative, String target) throws IOException {
        Path file = root.resolve(relative);
        Files.createDirectories(file.getParent());
        Files.createSymbolicLink(file, Path.of(target));
        return this;
    }

    /** Agent config that reads this root and runs only {@code probes}. */
    public String yaml(String... probes) {
        return "procfs: " + root + "\nnetnsDir: " + netnsDir + "\nkubernetes: off\nprobes: [" + String.join(", ", probes) + "]\n";
    }

    @Override
    public void close() throws IOException {
        try (Stream<Path> all = Files.walk(base)) {
            for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
