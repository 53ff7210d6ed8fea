package dev.podnet.design;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.podnet.deploy.RepoPaths;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The layers of DESIGN.md: a package imports only packages of its own layer or below, so what two higher
 * packages both need goes down, not sideways or up.
 */
class LayeringTest {
    private static final Map<String, Integer> LAYER = Map.ofEntries(
            Map.entry("cli", 5), Map.entry("http", 4),
            Map.entry("k8s", 3), Map.entry("policy", 3), Map.entry("health", 3), Map.entry("event", 3),
            Map.entry("probe", 2), Map.entry("traffic", 2),
            Map.entry("netlink", 1), Map.entry("bpf", 1), Map.entry("procfs", 1), Map.entry("netns", 1), Map.entry("config", 1));
    private static final Pattern IMPORT = Pattern.compile("^import (?:static )?dev\\.podnet\\.([a-z0-9]+)\\.", Pattern.MULTILINE);

    @Test
    void everyPackageImportsOnlyItsOwnLayerOrBelow() throws IOException {
        Path main = RepoPaths.root().resolve("src/main/java/dev/podnet");
        List<String> violations = new ArrayList<>();
        try (Stream<Path> files = Files.walk(main)) {
            for (Path file : files.filter(f -> f.toString().endsWith(".java")).toList()) {
                String own = main.relativize(file).getName(0).toString();
                Integer ownLayer = LAYER.get(own);
                if (ownLayer == null) {
                    violations.add(file + ": package " + own + " has no layer in DESIGN.md");
                    continue;
                }
                Matcher m = IMPORT.matcher(Files.readString(file));
                while (m.find()) {
                    Integer used = LAYER.get(m.group(1));
                    if (used == null || used > ownLayer) {
                        violations.add(main.relativize(file) + " (" + own + ") imports " + m.group(1));
                    }
                }
            }
        }
        assertEquals(List.of(), violations);
    }
}
