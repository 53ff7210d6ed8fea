package dev.podnet.cli;

import dev.podnet.config.ConfigLoader;
import dev.podnet.config.ConfigWatcher;
import dev.podnet.config.PodnetConfig;
import dev.podnet.http.MetricsServer;
import dev.podnet.http.PodnetCollector;
import dev.podnet.http.StatusReport;
import dev.podnet.k8s.KubernetesSupport;
import dev.podnet.netns.NetnsDiscovery;
import dev.podnet.netns.NetnsEnterer;
import dev.podnet.policy.Task;
import dev.podnet.policy.TaskSet;
import dev.podnet.probe.CollectionEngine;
import dev.podnet.probe.ProbeCatalog;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.logging.Logger;

/**
 * The running agent: discovery, probes, exposition and config reload wired together. Used by
 * {@code podnet run} and by tests, which start it in-process on an ephemeral port.
 */
public final class Agent implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(Agent.class.getName());

    private final long startedNanos = System.nanoTime();
    private final Path configFile;
    private final NetnsEnterer enterer;
    private final CollectionEngine engine;
    private final PodnetCollector collector;
    private final MetricsServer server;
    private final Counter reloads;
    private final ConfigWatcher watcher;
    private final KubernetesSupport kubernetes;
    private volatile PodnetConfig config;
    private volatile String lastReloadError;

    /**
     * @param config     the validated startup config (CLI overrides already applied)
     * @param configFile the file to watch for changes, or null
     */
    public Agent(PodnetConfig config, Path configFile, ProbeCatalog catalog, ConfigLoader loader,
                 Duration reloadPeriod) throws IOException {
        this.config = config;
        this.configFile = configFile;
        this.enterer = new NetnsEnterer(config.procfs());
        this.engine = new CollectionEngine(config.procfs(), new NetnsDiscovery(config.procfs(), config.netnsDir()),
                enterer, catalog);
        engine.configure(config.probes(), config.probeDeadline(), config.probeSettings());
        engine.setInternalNetworks(config.internalNetworks());
        this.collector = new PodnetCollector(engine, config.minInterval());

        PrometheusRegistry registry = new PrometheusRegistry();
        registry.register(collector);
        JvmMetrics.builder().register(registry);
        reloads = Counter.builder().name("podnet_config_reloads_total")
                .help("Config reloads by result: success (applied) or failure (refused, the last good config stays).")
                .labelNames("result").register(registry);
        reloads.labelValues("success");
        reloads.labelValues("failure");
        kubernetes = KubernetesSupport.start(config, enterer, registry);
        engine.setLabeler(kubernetes.labeler());

        this.server = new MetricsServer(config.listen().host(), config.listen().port(), registry, this::status);
        if (configFile != null) {
            watcher = new ConfigWatcher(configFile, loader, new ConfigWatcher.Listener() {
                @Override
                public void applied(PodnetConfig next) {
                    apply(next);
                }

                @Override
                public void refused(String reason) {
                    lastReloadError = reason;
                    reloads.labelValues("failure").inc();
                }
            });
            watcher.start(reloadPeriod);
        } else {
            watcher = null;
        }
        LOG.info("podnet listening on " + config.listen() + " with probes " + config.probes());
    }

    private synchronized void apply(PodnetConfig next) {
        // The procfs root and listen address are fixed for the life of the process: changing them would
        // mean a new server and new readers, which is what a restart is for.
        PodnetConfig effective = next.withListen(config.listen()).withProcfs(config.procfs());
        if (!next.listen().equals(config.listen())) {
            LOG.warning("listen changed to " + next.listen() + "; this takes effect on restart");
        }
        engine.configure(effective.probes(), effective.probeDeadline(), effective.probeSettings());
        engine.setInternalNetworks(effective.internalNetworks());
        collector.setMinInterval(effective.minInterval());
        kubernetes.apply(effective);
        config = effective;
        lastReloadError = null;
        reloads.labelValues("success").inc();
    }

    public PodnetConfig config() {
        return config;
    }

    public int port() {
        return server.port();
    }

    public CollectionEngine engine() {
        return engine;
    }

    public KubernetesSupport kubernetes() {
        return kubernetes;
    }

    /** Checks the config file now instead of waiting for the watcher's next tick. */
    public void checkConfigNow() {
        if (watcher != null) {
            watcher.check();
        }
    }

    public StatusReport status() {
        var last = collector.lastCollection();
        return new StatusReport(Version.get(), (System.nanoTime() - startedNanos) / 1e9,
                last == null ? -1 : last.namespaces().size(), last == null ? -1 : last.durationSeconds() * 1000,
                engine.status(),
                new StatusReport.ConfigStatus(configFile == null ? null : configFile.toString(),
                        (long) reloads.labelValues("success").get(), (long) reloads.labelValues("failure").get(),
                        lastReloadError),
                policyStatus());
    }

    private StatusReport.PolicyStatus policyStatus() {
        TaskSet tasks = kubernetes.tasks();
        if (!kubernetes.active() && tasks.inForce().isEmpty()) {
            return null;
        }
        return new StatusReport.PolicyStatus(tasks.inForce().stream().map(Task::name).toList(), tasks.refused());
    }

    @Override
    public void close() {
        if (watcher != null) {
            watcher.close();
        }
        server.close();
        kubernetes.close();
        engine.close();
        enterer.close();
    }
}
