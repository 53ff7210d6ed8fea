package dev.podnet.deploy;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the deployment files live in the repository the tests run from. */
public final class RepoPaths {
    private RepoPaths() {
    }

    /** The repository root: Maven's basedir (surefire sets it), else the working directory. */
    public static Path root() {
        Path root = Path.of(System.getProperty("basedir", System.getProperty("user.dir"))).toAbsolutePath();
        if (!Files.isRegularFile(root.resolve("pom.xml"))) {
            throw new IllegalStateException("not the repository root (no pom.xml): " + root);
        }
        return root;
    }

    public static Path chart() {
        return root().resolve("charts/podnet");
    }

    public static Path deploy() {
        return root().resolve("deploy");
    }

    public static Path dashboards() {
        return root().resolve("dashboards");
    }
}
