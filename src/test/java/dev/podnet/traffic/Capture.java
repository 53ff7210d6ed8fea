package dev.podnet.traffic;

import dev.podnet.testing.Sh;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * tcpdump on one device of a namespace, one direction, into a pcap file: the peer tool whose counts the
 * traffic probe's packet analysis must equal. Counting is done afterwards with tcpdump's own filters.
 */
final class Capture implements AutoCloseable {
    private final Process process;
    private final Path file;
    private final StringBuilder stderr = new StringBuilder();
    private final CompletableFuture<Void> drained;

    private Capture(Process process, Path file) throws IOException {
        this.process = process;
        this.file = file;
        this.drained = CompletableFuture.runAsync(() -> {
            try (BufferedReader err = new BufferedReader(new InputStreamReader(process.getErrorStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = err.readLine()) != null; ) {
                    synchronized (stderr) {
                        stderr.append(line).append('\n');
                    }
                }
            } catch (IOException e) {
                // the process is gone; what it said so far is kept
            }
        });
        // tcpdump writes the pcap header once the capture is active; its stderr may be buffered until exit
        long deadline = System.nanoTime() + 10_000_000_000L;
        while (!Files.exists(file) || Files.size(file) < 24) {
            if (!process.isAlive() || System.nanoTime() > deadline) {
                process.destroyForcibly();
                throw new AssertionError("tcpdump did not start: " + stderr);
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
        }
    }

    /** Starts capturing packets of {@code direction} ("in" or "out") on the device. */
    static Capture start(String ns, String device, String direction) throws IOException {
        Path file = Files.createTempDirectory("podnet-capture").resolve(direction + ".pcap");
        // -Z root: tcpdump would otherwise write the file as user tcpdump, which may not write here
        Process p = new ProcessBuilder("ip", "netns", "exec", ns, "tcpdump", "-Z", "root", "-i", device, "-Q", direction,
                "-nn", "-U", "-s", "256", "-w", file.toString()).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
        return new Capture(p, file);
    }

    /** Stops the capture (tcpdump flushes on SIGTERM) and checks that the kernel dropped nothing. */
    void stop() throws Exception {
        // Not Process.destroy(): it closes our end of tcpdump's stderr, where the drop count comes.
        Sh.run("kill", "-TERM", Long.toString(process.pid()));
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("tcpdump did not stop");
        }
        drained.get(5, TimeUnit.SECONDS);
        String err;
        synchronized (stderr) {
            err = stderr.toString();
        }
        if (!err.lines().anyMatch(line -> line.strip().equals("0 packets dropped by kernel"))) {
            throw new AssertionError("tcpdump missed packets, its counts prove nothing: " + err);
        }
    }

    /** Packets of the capture that match a tcpdump filter expression. */
    long count(String filter) {
        return lines(filter).size();
    }

    /** tcpdump's one-line decoding of each matching packet. */
    List<String> lines(String filter) {
        String out = Sh.run("tcpdump", "-r", file.toString(), "-nn", filter);
        List<String> lines = new ArrayList<>();
        for (String line : out.split("\n")) {
            if (!line.isBlank() && !line.startsWith("reading from file")) {
                lines.add(line);
            }
        }
        return lines;
    }

    @Override
    public void close() throws IOException {
        process.destroyForcibly();
        Files.deleteIfExists(file);
        Files.deleteIfExists(file.getParent());
    }
}
