package dev.podnet.probe.bpf;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernel's own text output of skb:kfree_skb, in a tracefs instance of its own (so nothing else's
 * tracing is touched): what a peer tool (perf, trace-cmd) would show for the same drops.
 */
final class KfreeSkbTrace implements AutoCloseable {
    private static final Path TRACEFS = Path.of("/sys/kernel/tracing");
    private static final Pattern LOCATION = Pattern.compile("location=(\\S+?)/0x[0-9a-f]+ reason: (\\S+)");
    private final Path instance;

    KfreeSkbTrace(String name) throws IOException {
        assumeTrue(Files.isDirectory(TRACEFS.resolve("instances")), "needs tracefs at " + TRACEFS);
        instance = TRACEFS.resolve("instances").resolve(name + "-kfree");
        Files.createDirectory(instance);
        Files.writeString(instance.resolve("events/skb/kfree_skb/enable"), "1");
    }

    /** The location (function+0xoffset) of the first drop of this reason so far. */
    String location(String reason) throws IOException {
        Files.writeString(instance.resolve("events/skb/kfree_skb/enable"), "0");
        for (String line : Files.readAllLines(instance.resolve("trace"))) {
            Matcher m = LOCATION.matcher(line);
            if (m.find() && m.group(2).equals(reason)) {
                return m.group(1);
            }
        }
        throw new AssertionError("the kernel traced no kfree_skb with reason " + reason);
    }

    @Override
    public void close() throws IOException {
        Files.writeString(instance.resolve("events/skb/kfree_skb/enable"), "0");
        Files.delete(instance);
    }
}
