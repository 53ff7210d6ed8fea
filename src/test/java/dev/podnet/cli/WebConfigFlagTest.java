package dev.podnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.config.ConfigLoader;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code --web-config} and the config's {@code webConfig}: a web config that cannot be used stops the start, naming why. */
class WebConfigFlagTest {

    @Test
    void theConfigNamesAWebConfigFileOrNone() throws Exception {
        ConfigLoader loader = new ConfigLoader(List.of("netdev"), List.of("netdev"));
        assertEquals(Path.of("/etc/podnet-web/web-config.yml"), loader.parse("webConfig: /etc/podnet-web/web-config.yml\n").webConfig());
        assertNull(loader.parse("{}").webConfig());
        assertNull(loader.parse("webConfig: \"\"\n").webConfig());
    }

    @Test
    void aBadWebConfigStopsTheStartWithTheFileAndTheProblem(@TempDir Path dir) throws Exception {
        Path web = dir.resolve("web.yml");
        Files.writeString(web, "tls_server_config:\n  cert_file: tls.crt\n  key_file: tls.key\n");
        String[] run = run("run", "--listen", "127.0.0.1:0", "--web-config", web.toString());
        assertEquals("2", run[0], run[1]);
        assertTrue(run[1].contains("web config file " + web) && run[1].contains("cert_file " + dir.resolve("tls.crt"))
                && run[1].contains("does not exist"), run[1]);
    }

    @Test
    void theFlagOverridesTheConfigsWebConfig(@TempDir Path dir) throws Exception {
        Path fromConfig = dir.resolve("from-config.yml");
        Path fromFlag = dir.resolve("from-flag.yml");
        Files.writeString(fromFlag, "basic_auth_users:\n  alice: hunter2\n");
        Path config = dir.resolve("podnet.yaml");
        Files.writeString(config, "listen: 127.0.0.1:0\nwebConfig: " + fromConfig + "\n");
        String[] run = run("run", "--config", config.toString(), "--web-config", fromFlag.toString());
        assertEquals("2", run[0], run[1]);
        assertTrue(run[1].contains("web config file " + fromFlag + ": basic_auth_users.alice: not a bcrypt hash"), run[1]);
        assertTrue(!run[1].contains("hunter2"), run[1]);

        run = run("run", "--config", config.toString());
        assertEquals("2", run[0], run[1]);
        assertTrue(run[1].contains("web config file " + fromConfig + ": cannot read it: it does not exist"), run[1]);
    }

    /** The exit code and standard error of {@code podnet ARGS}. */
    private static String[] run(String... args) {
        PrintStream oldErr = System.err;
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int exit = Main.commandLine().execute(args);
            return new String[] {Integer.toString(exit), err.toString(StandardCharsets.UTF_8)};
        } finally {
            System.setErr(oldErr);
        }
    }
}
