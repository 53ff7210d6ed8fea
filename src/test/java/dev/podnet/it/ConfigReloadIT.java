package dev.podnet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.cli.Agent;
import dev.podnet.config.ConfigLoader;
import dev.podnet.probe.ProbeCatalog;
import dev.podnet.testing.FakeProbe;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.TestAgent;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hot reload: a good config applies without restart; a bad one is refused and the last good one stays. */
class ConfigReloadIT {

    private static ProbeCatalog catalogWithExtra() {
        FakeProbe extra = new FakeProbe("extra", (netns, reader, out) -> out.gauge("podnet_test_extra", "test", 1));
        return ProbeCatalog.standard().register(() -> extra);
    }

    @Test
    void badReloadKeepsTheLastGoodConfigAndGoodReloadApplies() throws Exception {
        try (TestAgent agent = TestAgent.start("probes: [netdev]\n", catalogWithExtra())) {
            Scrape before = agent.scrape();
            assertEquals(1, before.value("podnet_probe_up", "probe", "netdev"));
            assertTrue(before.find("podnet_probe_up", "probe", "extra").isEmpty());

            agent.rewriteConfig("probes: [netdev, extra]\nminInterval: soon\n");
            Scrape refused = agent.scrape();
            assertEquals(1, refused.value("podnet_config_reloads_total", "result", "failure"));
            assertEquals(0, refused.value("podnet_config_reloads_total", "result", "success"));
            assertTrue(refused.find("podnet_probe_up", "probe", "extra").isEmpty(), "nothing of the bad config applied");
            assertEquals(1, refused.value("podnet_probe_up", "probe", "netdev"), "the last good config is in force");
            String status = agent.get("/status");
            assertTrue(status.contains("minInterval") && status.contains("soon"), "status names the bad field: " + status);

            agent.rewriteConfig("probes: [extra]\n");
            Scrape applied = agent.scrape();
            assertEquals(1, applied.value("podnet_config_reloads_total", "result", "success"));
            assertEquals(1, applied.value("podnet_probe_up", "probe", "extra"));
            assertTrue(applied.find("podnet_probe_up", "probe", "netdev").isEmpty(), "netdev was stopped");
            assertTrue(applied.find("podnet_netdev_receive_bytes_total").isEmpty());
        }
    }

    /**
     * Kubernetes mounts a ConfigMap as podnet.yaml -> ..data/podnet.yaml, ..data -> ..2026_xx; an update
     * writes a new ..2026_yy directory and renames a new ..data link over the old one.
     */
    @Test
    void configMapSymlinkSwapIsPickedUp(@TempDir Path dir) throws Exception {
        Path v1 = Files.createDirectory(dir.resolve("..2026_11_21_v1"));
        Files.writeString(v1.resolve("podnet.yaml"), "listen: 127.0.0.1:0\nminInterval: 0s\nprobes: [netdev]\n");
        Files.createSymbolicLink(dir.resolve("..data"), dir.resolve("..2026_11_21_v1").getFileName());
        Path config = Files.createSymbolicLink(dir.resolve("podnet.yaml"), Path.of("..data/podnet.yaml"));

        ProbeCatalog catalog = catalogWithExtra();
        ConfigLoader loader = new ConfigLoader(catalog.names(), catalog.defaultNames(), catalog::checkSettings);
        try (Agent agent = new Agent(loader.load(config), config, catalog, loader, Duration.ofHours(1))) {
            Path v2 = Files.createDirectory(dir.resolve("..2026_11_21_v2"));
            Files.writeString(v2.resolve("podnet.yaml"), "listen: 127.0.0.1:0\nminInterval: 0s\nprobes: [netdev, extra]\n");
            Path tmpLink = Files.createSymbolicLink(dir.resolve("..data_tmp"), v2.getFileName());
            Files.move(tmpLink, dir.resolve("..data"), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);

            agent.checkConfigNow();
            Scrape scrape = Scrape.of(agent.port());
            assertEquals(1, scrape.value("podnet_config_reloads_total", "result", "success"));
            assertEquals(1, scrape.value("podnet_probe_up", "probe", "extra"));
        }
    }
}
