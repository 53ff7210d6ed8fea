package dev.podnet.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.cli.Agent;
import dev.podnet.config.ConfigLoader;
import dev.podnet.probe.ProbeCatalog;
import dev.podnet.testing.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The whole agent with a web config: its real exposition over TLS and basic auth, as curl and promtool see it. */
class AgentWebConfigTest {

    @Test
    void curlGetsTheAgentsMetricsOverTlsWithAPasswordAndPromtoolAcceptsThem(@TempDir Path dir) throws Exception {
        TestPki pki = TestPki.create(dir, "ca");
        pki.server("tls", 0x1001, TestPki.KeyFormat.SEC1_EC);
        Path web = dir.resolve("web-config.yml");
        Files.writeString(web, "tls_server_config:\n  cert_file: tls.crt\n  key_file: tls.key\n"
                + "basic_auth_users:\n  prometheus: " + TestPki.bcrypt("prometheus", "s3cret") + "\n");
        Path config = dir.resolve("podnet.yaml");
        Files.writeString(config, "listen: 127.0.0.1:0\nminInterval: 0s\nprobes: [netdev]\nkubernetes: false\nwebConfig: " + web + "\n");

        ProbeCatalog catalog = ProbeCatalog.standard();
        ConfigLoader loader = new ConfigLoader(catalog.names(), catalog.defaultNames(), catalog::checkSettings);
        try (Agent agent = new Agent(loader.load(config), config, catalog, loader, Duration.ofHours(1))) {
            assertTrue(agent.tls());
            String url = "https://127.0.0.1:" + agent.port() + "/metrics";
            Sh.Result r = Sh.tryRun(List.of("curl", "-sS", "--fail", "--max-time", "60", "--cacert", pki.caCert.toString(),
                    "-u", "prometheus:s3cret", url));
            assertEquals(0, r.exit(), r.out());
            assertTrue(r.out().contains("podnet_netdev_receive_bytes_total") && r.out().contains("podnet_web_config_reloads_total{result=\"failure\"} 0"),
                    r.out());
            PeerToolsTest.checkWithPromtool(dir, r.out());

            for (String path : List.of("/status", "/-/healthy", "/events")) {
                Sh.Result refused = Sh.tryRun(List.of("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "60",
                        "--cacert", pki.caCert.toString(), "https://127.0.0.1:" + agent.port() + path));
                assertEquals("401", refused.out().strip(), path);
            }
            // The event stream stays open: curl stops it after a few seconds (exit 28) having seen its 200.
            Sh.Result events = Sh.tryRun(List.of("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "3",
                    "--cacert", pki.caCert.toString(), "-u", "prometheus:s3cret", "https://127.0.0.1:" + agent.port() + "/events"));
            assertEquals("200", events.out().strip(), events.out());
        }
    }
}
