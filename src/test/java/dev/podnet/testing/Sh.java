package dev.podnet.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs a command to completion for tests; a failure throws with the command's output. */
public final class Sh {
    private Sh() {
    }

    public record Result(int exit, String out) {
    }

    public static Result tryRun(List<String> command) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out: " + command);
            }
            return new Result(p.exitValue(), new String(out, StandardCharsets.UTF_8));
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    public static String run(String... command) {
        Result r = tryRun(List.of(command));
        if (r.exit() != 0) {
            throw new IllegalStateException(String.join(" ", command) + " exited " + r.exit() + ": " + r.out());
        }
        return r.out();
    }

    public static boolean available(String tool) {
        return tryRun(List.of("sh", "-c", "command -v " + tool)).exit() == 0;
    }
}
