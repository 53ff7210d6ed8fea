package dev.podnet.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.config.PodnetConfig.KubernetesMode;
import dev.podnet.config.PodnetConfig.PodLabel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Kubernetes fields of the config: mode, kubeconfig, nodeName, podLabels. */
class ConfigLoaderKubernetesTest {
    private final ConfigLoader loader = new ConfigLoader(List.of("netdev"), List.of("netdev"));

    @Test
    void defaultsAreAutoModeWithNoOverrides() throws Exception {
        PodnetConfig c = loader.parse("");
        assertEquals(KubernetesMode.AUTO, c.kubernetes());
        assertNull(c.kubeconfig());
        assertNull(c.nodeName());
        assertEquals(List.of(), c.podLabels());
    }

    @Test
    void modeSwitch() throws Exception {
        assertEquals(KubernetesMode.ON, loader.parse("kubernetes: true").kubernetes());
        assertEquals(KubernetesMode.OFF, loader.parse("kubernetes: false").kubernetes());
        assertEquals(KubernetesMode.AUTO, loader.parse("kubernetes: auto").kubernetes());
        var e = assertThrows(ConfigException.class, () -> loader.parse("kubernetes: sometimes"));
        assertTrue(e.getMessage().startsWith("kubernetes: \"sometimes\""), e.getMessage());
    }

    @Test
    void kubeconfigMustExistUnlessKubernetesIsOff() throws Exception {
        Path file = Files.createTempFile("podnet-kubeconfig", ".yaml");
        try {
            assertEquals(file, loader.parse("kubeconfig: " + file).kubeconfig());
            var e = assertThrows(ConfigException.class, () -> loader.parse("kubeconfig: " + file + ".missing"));
            assertEquals("kubeconfig: " + file + ".missing does not exist or is not readable", e.getMessage());
            assertEquals(Path.of(file + ".missing"),
                    loader.parse("kubernetes: false\nkubeconfig: " + file + ".missing").kubeconfig());
        } finally {
            Files.delete(file);
        }
    }

    @Test
    void nodeNameIsAKubernetesName() throws Exception {
        assertEquals("worker-1.example.com", loader.parse("nodeName: worker-1.example.com").nodeName());
        var e = assertThrows(ConfigException.class, () -> loader.parse("nodeName: Worker_1"));
        assertTrue(e.getMessage().startsWith("nodeName: \"Worker_1\" is not a Kubernetes node name"), e.getMessage());
    }

    @Test
    void podLabelsAreSanitizedAndMayNotTakeAnAttributionOrFlowLabel() throws Exception {
        assertEquals(List.of(new PodLabel("app", "app"), new PodLabel("app.kubernetes.io/version", "app_kubernetes_io_version")),
                loader.parse("podLabels: [app, app.kubernetes.io/version]").podLabels());
        for (String reserved : List.of("netns", "namespace", "pod", "node", "task", "ipfamily", "srcip", "dstip",
                "srcport", "dstport", "protocol")) {
            var e = assertThrows(ConfigException.class, () -> loader.parse("podLabels: [" + reserved + "]"));
            assertTrue(e.getMessage().startsWith("podLabels[0]: \"" + reserved + "\" becomes label \"" + reserved
                    + "\", which podnet already uses"), e.getMessage());
        }
        var tooMany = assertThrows(ConfigException.class,
                () -> loader.parse("podLabels: [a, b, c, d, e, f, g, h, i, j, k]"));
        assertEquals("podLabels: 11 labels given, at most 10 are allowed", tooMany.getMessage());
    }
}
