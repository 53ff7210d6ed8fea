package dev.podnet.testing;

import dev.podnet.cli.Agent;
import dev.podnet.config.ConfigLoader;
import dev.podnet.config.PodnetConfig;
import dev.podnet.policy.HostTaskCompiler;
import dev.podnet.probe.ProbeCatalog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.Predicate;

/**
 * The real agent, in-process, on an ephemeral loopback port, with a config written to a temp file
 * (so reload can be exercised). {@code minInterval: 0s} unless the YAML says otherwise, so each scrape
 * collects afresh.
 */
public final class TestAgent implements AutoCloseable {
    private final Agent agent;
    private final Path configFile;

    private TestAgent(Agent agent, Path configFile) {
        this.agent = agent;
        this.configFile = configFile;
    }

    /** Starts the agent with this YAML (listen and minInterval defaulted for tests). */
    public static TestAgent start(String yaml) throws Exception {
        return start(yaml, ProbeCatalog.standard());
    }

    /** Starts the agent with extra (test) probes in its catalog. */
    public static TestAgent start(String yaml, ProbeCatalog catalog) throws Exception {
        ConfigLoader loader = new ConfigLoader(catalog.names(), catalog.defaultNames(), catalog::checkSettings,
                HostTaskCompiler::check);
        String full = "listen: 127.0.0.1:0\n" + (yaml.contains("minInterval") ? "" : "minInterval: 0s\n") + yaml;
        Path file = Files.createTempFile("podnet-test", ".yaml");
        Files.writeString(file, full);
        PodnetConfig config = loader.load(file);
        return new TestAgent(new Agent(config, file, catalog, loader, Duration.ofHours(1)), file);
    }

    public Agent agent() {
        return agent;
    }

    public int port() {
        return agent.port();
    }

    public Scrape scrape() throws Exception {
        return Scrape.of(agent.port());
    }

    /**
     * Scrapes until {@code ready} holds, for at most {@code limit}: waits for the kernel's, the informers' and
     * the agent's asynchronous work, never for a fixed time. Fails with the last scrape and /status.
     */
    public Scrape awaitScrape(Predicate<Scrape> ready, String what, Duration limit) throws Exception {
        long deadline = System.nanoTime() + limit.toNanos();
        while (true) {
            Scrape scrape = scrape();
            if (ready.test(scrape)) {
                return scrape;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no " + what + " within " + limit.toSeconds() + " s; status: " + get("/status")
                        + "\nlast scrape:\n" + scrape.text());
            }
            Thread.sleep(100);
        }
    }

    public String get(String path) throws Exception {
        return Scrape.get("http://127.0.0.1:" + agent.port() + path);
    }

    /** Rewrites the config file and makes the agent check it now. */
    public void rewriteConfig(String yaml) throws Exception {
        Files.writeString(configFile, "listen: 127.0.0.1:0\n" + (yaml.contains("minInterval") ? "" : "minInterval: 0s\n") + yaml);
        agent.checkConfigNow();
    }

    public Path configFile() {
        return configFile;
    }

    @Override
    public void close() throws Exception {
        agent.close();
        Files.deleteIfExists(configFile);
    }
}
