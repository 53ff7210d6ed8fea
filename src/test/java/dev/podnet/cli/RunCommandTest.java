package dev.podnet.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The CLI as an operator meets it: a bad config stops the agent at once with a message that says why. */
class RunCommandTest {

    @Test
    void badConfigAtStartupExitsNonZeroWithTheReason(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("podnet.yaml");
        Files.writeString(config, "probes: [netdev, tcpretransmits]\n");
        Run run = run("run", "--config", config.toString(), "--listen", "127.0.0.1:0");
        assertEquals(2, run.exit);
        assertTrue(run.err.contains("probes[1]") && run.err.contains("tcpretransmits") && run.err.contains(config.toString()), run.err);
    }

    @Test
    void missingConfigFileIsNamed(@TempDir Path dir) throws Exception {
        Run run = run("run", "--config", dir.resolve("absent.yaml").toString());
        assertEquals(2, run.exit);
        assertTrue(run.err.contains("absent.yaml") && run.err.contains("cannot read"), run.err);
    }

    @Test
    void badListenFlagIsRejected() throws Exception {
        Run run = run("run", "--listen", "nowhere");
        assertEquals(2, run.exit);
        assertTrue(run.err.contains("listen") && run.err.contains("nowhere"), run.err);
    }

    @Test
    void probesListsEveryProbeWithSourceOverheadAndDefault() throws Exception {
        Run run = run("probes");
        assertEquals(0, run.exit);
        assertTrue(run.out.contains("netdev") && run.out.contains("procfs") && run.out.contains("low") && run.out.contains("on"), run.out);
    }

    @Test
    void statusReportsAnUnreachableAgent() throws Exception {
        Run run = run("status", "--agent", "http://127.0.0.1:1");
        assertEquals(1, run.exit);
        assertTrue(run.err.contains("cannot reach"), run.err);
    }

    private record Run(int exit, String out, String err) {
    }

    private static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        try {
            int exit = Main.commandLine().execute(args);
            return new Run(exit, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }
}
