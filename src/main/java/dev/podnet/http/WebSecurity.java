package dev.podnet.http;

import com.sun.net.httpserver.Filter;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import dev.podnet.config.ConfigException;
import dev.podnet.config.WebConfig;
import dev.podnet.config.WebConfigLoader;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import javax.net.ssl.KeyManager;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSessionContext;
import javax.net.ssl.TrustManager;

/**
 * The web config in force for every HTTP endpoint: TLS (certificate, client certificates, versions,
 * suites), basic authentication, response headers and a rate limit, in exporter-toolkit's file format.
 * The file and the files it names are checked for changes on a timer and reloaded: a certificate rotated
 * on disk is served to the next connection without a restart. A file that does not load is refused with
 * the reason, counted in {@code podnet_web_config_reloads_total{result="failure"}}, and the last good web
 * config stays. Whether the server speaks TLS at all is fixed at start, as in exporter-toolkit.
 */
public final class WebSecurity implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(WebSecurity.class.getName());

    /** One loaded config: swapped whole, read once per request or handshake. */
    record Active(WebConfig config, TlsSettings tls, RateLimiter limiter) {
    }

    private final Path file;
    private final SSLContext sslContext;
    private final BasicAuth auth = new BasicAuth();
    private Counter reloads;
    private final ScheduledExecutorService timer =
            Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("podnet-web-config-watch").daemon(true).factory());
    private volatile Active active;
    private volatile String lastReloadError;
    private List<Path> watched;
    private byte[] lastDigest;

    private WebSecurity(Path file, Active first) throws ConfigException {
        this.file = file;
        this.active = first;
        this.watched = watchList(first.config());
        this.lastDigest = digest();
        this.sslContext = first.tls() == null ? null : sslContext();
    }

    /** Loads the web config; a file that cannot be used throws with the file and the problem named. */
    public static WebSecurity load(Path file) throws ConfigException {
        Active first = read(file);
        WebSecurity security = new WebSecurity(file, first);
        LOG.info("web config file " + file + ": " + security.describe(first));
        if (first.tls() == null && !first.config().users().isEmpty()) {
            LOG.warning("web config file " + file + ": basic authentication without tls_server_config sends passwords in clear text");
        }
        return security;
    }

    /** Registers {@code podnet_web_config_reloads_total{result}}. */
    public synchronized void register(PrometheusRegistry registry) {
        reloads = Counter.builder().name("podnet_web_config_reloads_total")
                .help("Reloads of the web config (TLS, basic auth) by result: success (applied) or failure "
                        + "(refused, the last good web config stays).")
                .labelNames("result").register(registry);
        reloads.labelValues("success");
        reloads.labelValues("failure");
    }

    private static Active read(Path file) throws ConfigException {
        WebConfig config = WebConfigLoader.load(file);
        TlsSettings tls;
        try {
            tls = config.tls() == null ? null : TlsSettings.load(config.tls());
        } catch (ConfigException e) {
            throw new ConfigException("web config file " + file + ": tls_server_config." + e.getMessage(), e);
        }
        RateLimiter limiter = config.rateLimit() == null ? null
                : new RateLimiter(config.rateLimit().interval(), config.rateLimit().burst(), System::nanoTime);
        return new Active(config, tls, limiter);
    }

    /** Checks the files every {@code period}. */
    public void start(Duration period) {
        timer.scheduleWithFixedDelay(this::checkNow, period.toMillis(), period.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** One check: reloads if the web config or a file it names changed. Public so tests need not wait. */
    public synchronized void checkNow() {
        byte[] now = digest();
        if (Arrays.equals(now, lastDigest)) {
            return;
        }
        lastDigest = now;
        Active next;
        try {
            WebConfig parsed = WebConfigLoader.load(file);
            // Watch what the new file names even if it fails below: the missing key may arrive next.
            watched = watchList(parsed);
            lastDigest = digest();
            next = read(file);
            if ((next.tls() == null) != (active.tls() == null)) {
                throw new ConfigException("web config file " + file + ": tls_server_config: TLS was "
                        + (active.tls() == null ? "off" : "on") + " at start; turning it " + (next.tls() == null ? "off" : "on")
                        + " takes a restart");
            }
        } catch (ConfigException e) {
            lastReloadError = e.getMessage() + "; keeping the last good web config";
            LOG.warning(lastReloadError);
            count("failure");
            return;
        }
        if (next.limiter() != null && active.limiter() != null && next.config().rateLimit().equals(active.config().rateLimit())) {
            next = new Active(next.config(), next.tls(), active.limiter());
        }
        active = next;
        lastReloadError = null;
        if (sslContext != null) {
            // Cached sessions were made under the old settings: the next connection does a full handshake.
            SSLSessionContext sessions = sslContext.getServerSessionContext();
            for (byte[] id : Collections.list(sessions.getIds())) {
                var session = sessions.getSession(id);
                if (session != null) {
                    session.invalidate();
                }
            }
        }
        LOG.info("web config reloaded from " + file + ": " + describe(next));
        count("success");
    }

    private synchronized void count(String result) {
        if (reloads != null) {
            reloads.labelValues(result).inc();
        }
    }

    public boolean tls() {
        return sslContext != null;
    }

    public Path file() {
        return file;
    }

    /** Why the last reload was refused, or null if it was applied. */
    public String lastReloadError() {
        return lastReloadError;
    }

    Active active() {
        return active;
    }

    BasicAuth auth() {
        return auth;
    }

    /** Authentication, headers and rate limit, for every context of the server. */
    Filter filter() {
        return new AccessFilter(this);
    }

    /** The TLS parameters of each new connection, from the settings in force when it arrives. */
    HttpsConfigurator httpsConfigurator() {
        return new HttpsConfigurator(sslContext) {
            @Override
            public void configure(HttpsParameters params) {
                params.setSSLParameters(active.tls().parameters(sslContext.getDefaultSSLParameters()));
            }
        };
    }

    private SSLContext sslContext() throws ConfigException {
        try {
            SSLContext context = SSLContext.getInstance("TLS");
            context.init(new KeyManager[] {new RotatingKeyManager(() -> active.tls())},
                    new TrustManager[] {new ClientCertTrustManager(() -> active.tls())}, null);
            return context;
        } catch (GeneralSecurityException e) {
            throw new ConfigException("web config file " + file + ": the JVM cannot set up TLS: " + e.getMessage(), e);
        }
    }

    private String describe(Active a) {
        String users = a.config().users().isEmpty() ? "no basic auth" : "basic auth for " + a.config().users().size() + " user(s)";
        return (a.tls() == null ? "no TLS" : "TLS with " + a.tls().describe()) + ", " + users;
    }

    private List<Path> watchList(WebConfig config) {
        List<Path> files = new ArrayList<>();
        files.add(file);
        files.addAll(config.referencedFiles());
        return List.copyOf(files);
    }

    /** Content, not modification time: a Kubernetes Secret update swaps a symlink and leaves mtimes alone. */
    private byte[] digest() {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (Path p : watched) {
                sha.update(p.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                try {
                    sha.update(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p)));
                } catch (IOException e) {
                    sha.update(("unreadable: " + e.getClass().getName()).getBytes(java.nio.charset.StandardCharsets.UTF_8));
                }
            }
            return sha.digest();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
