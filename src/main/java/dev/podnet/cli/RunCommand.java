package dev.podnet.cli;

import dev.podnet.config.ConfigException;
import dev.podnet.config.ConfigLoader;
import dev.podnet.policy.HostTaskCompiler;
import dev.podnet.config.PodnetConfig;
import dev.podnet.probe.ProbeCatalog;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code podnet run}: the agent. */
@Command(name = "run", mixinStandardHelpOptions = true,
        description = "Run the agent: serve per-namespace network metrics on /metrics and the agent's state on /status.")
public final class RunCommand implements Callable<Integer> {

    @Option(names = "--config", paramLabel = "FILE",
            description = "YAML config file; watched and reloaded when it changes. Default: built-in defaults.")
    Path configFile;

    @Option(names = "--listen", paramLabel = "HOST:PORT",
            description = "Address of the HTTP server. Default: the config's listen, else 0.0.0.0:" + PodnetConfig.DEFAULT_PORT + ".")
    String listen;

    @Option(names = "--procfs", paramLabel = "PATH", description = "procfs root. Default: the config's procfs, else /proc.")
    Path procfs;

    @Override
    public Integer call() throws Exception {
        ProbeCatalog catalog = ProbeCatalog.standard();
        ConfigLoader loader = new ConfigLoader(catalog.names(), catalog.defaultNames(), catalog::checkSettings,
                HostTaskCompiler::check);
        PodnetConfig config;
        try {
            config = configFile != null ? loader.load(configFile) : loader.defaults();
            if (listen != null) {
                config = config.withListen(ConfigLoader.hostPort(listen));
            }
        } catch (ConfigException e) {
            System.err.println("podnet: " + e.getMessage());
            return 2;
        }
        if (procfs != null) {
            config = config.withProcfs(procfs);
        }
        if (!MallocThreshold.pin()) {
            System.err.println("podnet: note: could not pin the C library's mmap threshold (not glibc?); "
                    + "the BPF probes' loading may leave some MiB of native memory behind");
        }
        CountDownLatch stop = new CountDownLatch(1);
        CountDownLatch closed = new CountDownLatch(1);
        try (Agent agent = new Agent(config, configFile, catalog, loader, Duration.ofSeconds(2))) {
            // The JVM halts once its shutdown hooks return: wait for the agent to detach its programs
            // (tc filters would otherwise stay on the pods' devices), but not forever.
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                stop.countDown();
                try {
                    closed.await(10, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
            System.err.println("podnet: serving http://" + config.listen().host() + ":" + agent.port() + "/metrics");
            stop.await();
        } finally {
            closed.countDown();
        }
        return 0;
    }
}
