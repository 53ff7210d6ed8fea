package dev.podnet.config;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * Reloads the config file when its content changes. It compares content, not modification times or
 * inotify events: a Kubernetes ConfigMap update swaps a symlink two levels up, which leaves the file's
 * own mtime and inode events unreliable, while reading through the link always sees the live content.
 * A bad new config is refused and the last good one stays in force.
 */
public final class ConfigWatcher implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ConfigWatcher.class.getName());

    /** Told about each reload attempt: the new config, or the reason it was refused. */
    public interface Listener {
        void applied(PodnetConfig config);

        void refused(String reason);
    }

    private final Path file;
    private final ConfigLoader loader;
    private final Listener listener;
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("podnet-config-watch").daemon(true).factory());
    private byte[] lastDigest;

    public ConfigWatcher(Path file, ConfigLoader loader, Listener listener) {
        this.file = file;
        this.loader = loader;
        this.listener = listener;
        this.lastDigest = digest();
    }

    public void start(Duration period) {
        timer.scheduleWithFixedDelay(this::check, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One check; public so tests can drive reloads without waiting for the timer. */
    public synchronized void check() {
        byte[] now = digest();
        if (Arrays.equals(now, lastDigest)) {
            return;
        }
        lastDigest = now;
        if (now == null) {
            report(listener::refused, "config file " + file + " disappeared; keeping the last good config");
            return;
        }
        try {
            PodnetConfig config = loader.load(file);
            LOG.info("config reloaded from " + file);
            listener.applied(config);
        } catch (ConfigException e) {
            report(listener::refused, e.getMessage() + "; keeping the last good config");
        }
    }

    private static void report(Consumer<String> sink, String message) {
        LOG.warning(message);
        sink.accept(message);
    }

    private byte[] digest() {
        try {
            return MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file));
        } catch (IOException e) {
            return null;
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
