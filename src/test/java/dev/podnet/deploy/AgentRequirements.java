package dev.podnet.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.podnet.config.ConfigException;
import dev.podnet.config.ConfigLoader;
import dev.podnet.config.PodnetConfig;
import dev.podnet.probe.ProbeCatalog;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HTTPGetAction;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceAccount;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.rbac.ClusterRole;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBinding;
import io.fabric8.kubernetes.api.model.rbac.PolicyRule;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the agent's code needs from its pod, checked on a set of rendered or plain objects: the
 * capabilities, host mounts, environment, port and config that podnet's probes and discovery rely on.
 * Shared by the chart test and the deploy/ test so both are held to the same list.
 */
public final class AgentRequirements {
    /** Each one is justified in a comment next to it in the DaemonSet. */
    public static final Set<String> CAPABILITIES = Set.of("SYS_ADMIN", "BPF", "PERFMON", "NET_ADMIN", "SYS_PTRACE",
            "SYS_RESOURCE", "DAC_READ_SEARCH", "NET_RAW");
    public static final List<String> COMMAND = List.of("java", "@/opt/podnet/jvm.options", "-jar", "/opt/podnet/podnet.jar", "run", "--config", "/etc/podnet/podnet.yaml");
    public static final String PROCFS_MOUNT = "/host/proc";
    public static final String NETNS_DIR = "/run/netns";

    /** Options of a rendering: the port the agent listens on and whether the BTF mount is expected. */
    public record Expect(int port, boolean btf) {
        public static final Expect DEFAULTS = new Expect(9475, true);
    }

    private AgentRequirements() {
    }

    /** Checks everything; returns the agent's config as the agent itself would load it. */
    public static PodnetConfig check(List<HasMetadata> objects, Expect expect) throws ConfigException {
        List<DaemonSet> daemonSets = KubeYaml.all(objects, DaemonSet.class);
        assertEquals(1, daemonSets.size(), "exactly one DaemonSet");
        DaemonSet ds = daemonSets.getFirst();
        PodSpec pod = ds.getSpec().getTemplate().getSpec();
        Container agent = pod.getContainers().stream().filter(c -> c.getName().equals("podnet")).findFirst()
                .orElseThrow(() -> new AssertionError("no container named podnet"));

        assertEquals(Boolean.TRUE, pod.getHostPID(), "hostPID: discovery walks the host's /proc/<pid>/ns/net");
        assertNotEquals(Boolean.TRUE, pod.getHostNetwork(), "the agent does not need the host's network namespace");
        checkSecurity(agent);
        assertEquals(COMMAND, agent.getCommand(), "container command");
        checkNodeName(agent);
        int port = checkPort(agent, expect.port());
        checkMounts(pod, agent, expect.btf());
        checkResources(agent);
        assertTrue(pod.getTolerations().stream().anyMatch(t -> "Exists".equals(t.getOperator()) && t.getKey() == null
                        && t.getEffect() == null),
                "a toleration with operator Exists and no key or effect, so the agent runs on every node: " + pod.getTolerations());

        Map<String, String> annotations = ds.getSpec().getTemplate().getMetadata().getAnnotations();
        assertEquals("true", annotations.get("prometheus.io/scrape"));
        assertEquals(Integer.toString(port), annotations.get("prometheus.io/port"));
        assertEquals("/metrics", annotations.get("prometheus.io/path"));

        checkService(objects, ds, port);
        checkRbac(objects, pod.getServiceAccountName(), ds.getMetadata().getNamespace());
        return checkConfig(objects, pod, agent, port);
    }

    private static void checkSecurity(Container agent) {
        var sc = agent.getSecurityContext();
        assertNotNull(sc, "securityContext");
        assertNotEquals(Boolean.TRUE, sc.getPrivileged(), "the agent must not be privileged");
        assertEquals(Long.valueOf(0), sc.getRunAsUser(), "root: added capabilities are effective for uid 0 only");
        assertEquals(List.of("ALL"), sc.getCapabilities().getDrop(), "drop every capability, add back what is needed");
        assertEquals(CAPABILITIES, Set.copyOf(sc.getCapabilities().getAdd()), "added capabilities");
        assertEquals(CAPABILITIES.size(), sc.getCapabilities().getAdd().size(), "no capability listed twice");
        assertNotEquals(Boolean.FALSE, sc.getAllowPrivilegeEscalation(),
                "the API server refuses allowPrivilegeEscalation: false together with SYS_ADMIN");
    }

    private static void checkNodeName(Container agent) {
        EnvVar nodeName = agent.getEnv().stream().filter(e -> e.getName().equals("NODE_NAME")).findFirst()
                .orElseThrow(() -> new AssertionError("no NODE_NAME env var"));
        assertNotNull(nodeName.getValueFrom(), "NODE_NAME comes from the downward API");
        assertEquals("spec.nodeName", nodeName.getValueFrom().getFieldRef().getFieldPath());
    }

    private static int checkPort(Container agent, int expected) {
        ContainerPort metrics = agent.getPorts().stream().filter(p -> "metrics".equals(p.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("no container port named metrics"));
        assertEquals(expected, metrics.getContainerPort());
        for (var probe : List.of(agent.getLivenessProbe(), agent.getReadinessProbe())) {
            assertNotNull(probe, "liveness and readiness probes");
            HTTPGetAction get = probe.getHttpGet();
            assertEquals("/-/healthy", get.getPath());
            assertTrue("metrics".equals(get.getPort().getStrVal()) || Integer.valueOf(expected).equals(get.getPort().getIntVal()),
                    "probe port " + get.getPort());
        }
        return metrics.getContainerPort();
    }

    private static void checkMounts(PodSpec pod, Container agent, boolean btf) {
        VolumeMount proc = hostMount(pod, agent, "/proc", PROCFS_MOUNT);
        assertEquals(Boolean.TRUE, proc.getReadOnly(), "host /proc read-only");
        VolumeMount netns = hostMount(pod, agent, "/run/netns", NETNS_DIR);
        assertEquals("HostToContainer", netns.getMountPropagation(),
                "namespaces mounted on the host after the agent started must appear in the container");
        hostMount(pod, agent, "/sys/fs/bpf", "/sys/fs/bpf");
        hostMount(pod, agent, "/sys/kernel/tracing", "/sys/kernel/tracing");
        if (btf) {
            hostMount(pod, agent, "/sys/kernel/btf", "/sys/kernel/btf");
        } else {
            assertTrue(agent.getVolumeMounts().stream().noneMatch(m -> m.getMountPath().equals("/sys/kernel/btf")),
                    "BTF mount turned off");
        }
    }

    /** The mount at {@code mountPath}, checked to come from the host's {@code hostPath}. */
    static VolumeMount hostMount(PodSpec pod, Container agent, String hostPath, String mountPath) {
        VolumeMount mount = agent.getVolumeMounts().stream().filter(m -> m.getMountPath().equals(mountPath)).findFirst()
                .orElseThrow(() -> new AssertionError("nothing mounted at " + mountPath));
        Volume volume = volume(pod, mount.getName());
        assertNotNull(volume.getHostPath(), mountPath + " must be a hostPath volume");
        assertEquals(hostPath, volume.getHostPath().getPath(), "host path mounted at " + mountPath);
        return mount;
    }

    static Volume volume(PodSpec pod, String name) {
        return pod.getVolumes().stream().filter(v -> v.getName().equals(name)).findFirst()
                .orElseThrow(() -> new AssertionError("mount of an undeclared volume " + name));
    }

    private static void checkResources(Container agent) {
        var r = agent.getResources();
        assertEquals(new Quantity("50m"), r.getRequests().get("cpu"));
        assertEquals(new Quantity("100Mi"), r.getRequests().get("memory"));
        assertEquals(new Quantity("500m"), r.getLimits().get("cpu"));
        assertEquals(new Quantity("256Mi"), r.getLimits().get("memory"));
    }

    private static void checkService(List<HasMetadata> objects, DaemonSet ds, int port) {
        List<Service> services = KubeYaml.all(objects, Service.class);
        assertEquals(1, services.size(), "one Service");
        Service service = services.getFirst();
        Map<String, String> podLabels = ds.getSpec().getTemplate().getMetadata().getLabels();
        service.getSpec().getSelector().forEach((k, v) ->
                assertEquals(v, podLabels.get(k), "the Service selects the agent pods by " + k));
        var sp = service.getSpec().getPorts().stream().filter(p -> "metrics".equals(p.getName())).findFirst()
                .orElseThrow(() -> new AssertionError("Service has no port named metrics"));
        assertEquals(port, sp.getPort());
        assertTrue("metrics".equals(sp.getTargetPort().getStrVal()) || Integer.valueOf(port).equals(sp.getTargetPort().getIntVal()));
        assertEquals(ds.getSpec().getSelector().getMatchLabels(),
                Map.copyOf(service.getSpec().getSelector()), "Service and DaemonSet select the same pods");
    }

    private static void checkRbac(List<HasMetadata> objects, String serviceAccount, String namespace) {
        KubeYaml.find(objects, ServiceAccount.class, serviceAccount);
        ClusterRoleBinding binding = KubeYaml.all(objects, ClusterRoleBinding.class).stream()
                .filter(b -> b.getSubjects().stream().anyMatch(s -> "ServiceAccount".equals(s.getKind())
                        && serviceAccount.equals(s.getName()) && namespace.equals(s.getNamespace())))
                .findFirst().orElseThrow(() -> new AssertionError("no ClusterRoleBinding for ServiceAccount " + serviceAccount));
        assertEquals("ClusterRole", binding.getRoleRef().getKind());
        ClusterRole role = KubeYaml.find(objects, ClusterRole.class, binding.getRoleRef().getName());
        assertAllowed(role, "", "pods", "get", "list", "watch");
        assertAllowed(role, "", "events", "create", "patch");
        assertAllowed(role, "events.k8s.io", "events", "create", "patch");
        assertAllowed(role, "podnet.dev", "monitorpolicies", "get", "list", "watch");
        for (PolicyRule rule : role.getRules()) {
            assertTrue(!rule.getVerbs().contains("*") && !rule.getResources().contains("*"), "no wildcards: " + rule);
            assertTrue(rule.getResources().stream().noneMatch(r -> r.equals("secrets")), "no access to secrets: " + rule);
        }
    }

    private static void assertAllowed(ClusterRole role, String group, String resource, String... verbs) {
        for (String verb : verbs) {
            assertTrue(role.getRules().stream().anyMatch(r -> r.getApiGroups().contains(group)
                            && r.getResources().contains(resource) && r.getVerbs().contains(verb)),
                    "ClusterRole " + role.getMetadata().getName() + " lets the agent " + verb + " " + resource
                            + (group.isEmpty() ? "" : "." + group));
        }
    }

    /** The mounted ConfigMap holds the file the command names, and podnet's own loader accepts it. */
    private static PodnetConfig checkConfig(List<HasMetadata> objects, PodSpec pod, Container agent, int port)
            throws ConfigException {
        Path configFile = Path.of(COMMAND.getLast());
        VolumeMount mount = agent.getVolumeMounts().stream()
                .filter(m -> m.getMountPath().equals(configFile.getParent().toString())).findFirst()
                .orElseThrow(() -> new AssertionError("nothing mounted at " + configFile.getParent()));
        Volume volume = volume(pod, mount.getName());
        assertNotNull(volume.getConfigMap(), "the config directory is a ConfigMap volume");
        ConfigMap cm = KubeYaml.find(objects, ConfigMap.class, volume.getConfigMap().getName());
        String yaml = cm.getData().get(configFile.getFileName().toString());
        if (yaml == null) {
            fail("ConfigMap " + cm.getMetadata().getName() + " has no key " + configFile.getFileName() + ": " + cm.getData().keySet());
        }
        ProbeCatalog catalog = ProbeCatalog.standard();
        PodnetConfig config = new ConfigLoader(catalog.names(), catalog.defaultNames(), catalog::checkSettings).parse(yaml);
        assertEquals(port, config.listen().port(), "config listen port = container port");
        assertTrue(!config.listen().host().startsWith("127.") && !config.listen().host().equals("localhost"),
                "the agent must listen beyond loopback to be scraped: " + config.listen());
        assertEquals(Path.of(PROCFS_MOUNT), config.procfs(), "config procfs points at the host's /proc mount");
        assertEquals(Path.of(NETNS_DIR), config.netnsDir(), "config netnsDir = the /run/netns mount");
        return config;
    }
}
