package dev.podnet.k8s;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.config.ConfigLoader;
import dev.podnet.config.PodnetConfig;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ClusterAccessTest {
    private final ConfigLoader loader = new ConfigLoader(List.of("netdev"), List.of("netdev"));
    @TempDir
    Path dir;

    private PodnetConfig config(String yaml) throws Exception {
        return loader.parse(yaml);
    }

    @Test
    void autoWithoutCredentialsIsHostMode() throws Exception {
        var d = ClusterAccess.decide(config(""), Map.of(), dir, dir.resolve("token"));
        assertFalse(d.enabled());
        assertTrue(d.reason().contains("host mode"), d.reason());
    }

    @Test
    void autoFindsTheInClusterServiceAccount() throws Exception {
        Path token = Files.writeString(dir.resolve("token"), "t");
        var d = ClusterAccess.decide(config(""), Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1"), dir, token);
        assertEquals(new ClusterAccess.Decision(true, "in-cluster service account"), d);
        // the env var alone (a pod without a mounted token) is not credentials
        assertFalse(ClusterAccess.decide(config(""), Map.of("KUBERNETES_SERVICE_HOST", "10.96.0.1"), dir,
                dir.resolve("none")).enabled());
    }

    @Test
    void autoFindsKubeconfigFromTheEnvironmentThenTheHomeDirectory() throws Exception {
        Path file = Files.writeString(dir.resolve("kc"), "apiVersion: v1");
        var fromEnv = ClusterAccess.decide(config(""), Map.of("KUBECONFIG", dir.resolve("missing") + ":" + file), dir,
                dir.resolve("token"));
        assertEquals(new ClusterAccess.Decision(true, "kubeconfig " + file + " from KUBECONFIG"), fromEnv);

        Files.createDirectories(dir.resolve(".kube"));
        Files.writeString(dir.resolve(".kube/config"), "apiVersion: v1");
        assertTrue(ClusterAccess.decide(config(""), Map.of(), dir, dir.resolve("token")).enabled());
    }

    @Test
    void theSwitchForcesItOnOrOff() throws Exception {
        Files.createDirectories(dir.resolve(".kube"));
        Files.writeString(dir.resolve(".kube/config"), "apiVersion: v1");
        assertFalse(ClusterAccess.decide(config("kubernetes: false"), Map.of(), dir, dir.resolve("token")).enabled());
        var forced = ClusterAccess.decide(config("kubernetes: true"), Map.of(), dir.resolve("elsewhere"), dir.resolve("token"));
        assertTrue(forced.enabled());
        assertTrue(forced.reason().contains("no credentials were found"), forced.reason());
    }

    @Test
    void nodeNameFromConfigThenEnvironmentThenHostname() throws Exception {
        Path hostname = Files.writeString(dir.resolve("hostname"), "Worker-7\n");
        assertEquals("n1", ClusterAccess.nodeName(config("nodeName: n1"), Map.of("NODE_NAME", "n2"), hostname));
        assertEquals("n2", ClusterAccess.nodeName(config(""), Map.of("NODE_NAME", "n2"), hostname));
        assertEquals("worker-7", ClusterAccess.nodeName(config(""), Map.of(), hostname), "the kubelet lower-cases it");
    }
}
