package dev.podnet.event;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Set;

/**
 * NDJSON in a file, rotated by size: when the next batch would pass {@code maxSizeMB}, the file becomes
 * {@code path.1} (older ones shift to {@code .2} ... {@code .maxBackups}, the oldest is deleted) and a new
 * file starts. A write error (disk full, directory gone) is retried: the events wait in the queue.
 */
final class FileSink implements EventSink {
    private static final Set<String> KEYS = Set.of("path", "maxSizeMB", "maxBackups");

    private final Settings settings;
    private OutputStream out;
    private long size;

    /**
     * @param path       the file
     * @param maxBytes   size before rotation
     * @param maxBackups rotated files kept
     */
    record Settings(Path path, long maxBytes, int maxBackups) {
        static Settings of(EventsConfig.SinkSpec spec) {
            for (String key : spec.settings().keySet()) {
                if (!KEYS.contains(key)) {
                    throw new IllegalArgumentException(spec.field() + ": unknown field \"" + key + "\" (known: maxBackups, maxSizeMB, path)");
                }
            }
            if (!(spec.settings().get("path") instanceof String path) || path.isBlank()) {
                throw new IllegalArgumentException(spec.field() + ".path: the file to write is required");
            }
            int mb = EventsConfig.whole(spec.settings().get("maxSizeMB"), spec.field() + ".maxSizeMB", 100, 1, 100_000);
            int backups = EventsConfig.whole(spec.settings().get("maxBackups"), spec.field() + ".maxBackups", 3, 0, 1000);
            return new Settings(Path.of(path), mb * 1024L * 1024L, backups);
        }
    }

    FileSink(Settings settings) {
        this.settings = settings;
    }

    @Override
    public String name() {
        return "file:" + settings.path();
    }

    @Override
    public int maxBatch() {
        return 500;
    }

    @Override
    public Duration maxDelay() {
        return Duration.ofMillis(100);
    }

    @Override
    public void send(List<Event> batch) throws SinkException {
        StringBuilder text = new StringBuilder();
        for (Event e : batch) {
            text.append(EventJson.line(e)).append('\n');
        }
        byte[] bytes = text.toString().getBytes(StandardCharsets.UTF_8);
        try {
            if (out == null) {
                open();
            }
            if (size > 0 && size + bytes.length > settings.maxBytes()) {
                rotate();
            }
            out.write(bytes);
            out.flush();
            size += bytes.length;
        } catch (IOException e) {
            closeQuietly();
            throw new SinkException("writing " + settings.path() + ": " + e.getMessage(), true, e);
        }
    }

    private void open() throws IOException {
        Path parent = settings.path().toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        out = Files.newOutputStream(settings.path(), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        size = Files.size(settings.path());
    }

    private void rotate() throws IOException {
        closeQuietly();
        Path base = settings.path();
        if (settings.maxBackups() == 0) {
            Files.deleteIfExists(base);
        } else {
            Files.deleteIfExists(backup(settings.maxBackups()));
            for (int i = settings.maxBackups() - 1; i >= 1; i--) {
                if (Files.exists(backup(i))) {
                    Files.move(backup(i), backup(i + 1), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.move(base, backup(1), StandardCopyOption.REPLACE_EXISTING);
        }
        open();
    }

    private Path backup(int n) {
        return settings.path().resolveSibling(settings.path().getFileName() + "." + n);
    }

    private void closeQuietly() {
        if (out != null) {
            try {
                out.close();
            } catch (IOException e) {
                // reopened on the next send
            }
            out = null;
        }
    }

    @Override
    public void close() {
        closeQuietly();
    }
}
