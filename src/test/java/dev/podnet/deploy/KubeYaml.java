package dev.podnet.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Kubernetes YAML read into fabric8's typed model. fabric8 accepts unknown fields silently (they land in
 * "additional properties"), which would let a typo such as {@code mountPropogation} pass unnoticed, so
 * {@link #unknownFields} walks a parsed object and names every field the model did not know.
 */
public final class KubeYaml {
    private static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();
    private static final ObjectMapper JSON = new ObjectMapper();

    private KubeYaml() {
    }

    /** Every object in a multi-document YAML text; documents with only comments are skipped. */
    public static List<HasMetadata> parse(String yaml, String origin) {
        List<HasMetadata> objects = new ArrayList<>();
        for (String doc : yaml.split("(?m)^---\\s*$")) {
            if (doc.lines().allMatch(line -> line.isBlank() || line.strip().startsWith("#"))) {
                continue;
            }
            HasMetadata object;
            try {
                object = SERIALIZATION.unmarshal(doc, HasMetadata.class);
            } catch (RuntimeException e) {
                throw new AssertionError(origin + ": not a Kubernetes object: " + e.getMessage() + "\n" + doc, e);
            }
            if (object == null) {
                throw new AssertionError(origin + ": document is not a Kubernetes object:\n" + doc);
            }
            objects.add(object);
        }
        return objects;
    }

    public static List<HasMetadata> parseFile(Path file) throws IOException {
        return parse(Files.readString(file), file.toString());
    }

    /** The only object of this kind and name; fails when there is none. */
    public static <T extends HasMetadata> T find(List<HasMetadata> objects, Class<T> type, String name) {
        return objects.stream().filter(type::isInstance).map(type::cast)
                .filter(o -> Objects.equals(o.getMetadata().getName(), name)).findFirst()
                .orElseThrow(() -> new AssertionError("no " + type.getSimpleName() + " named " + name + " in "
                        + objects.stream().map(KubeYaml::describe).toList()));
    }

    public static <T extends HasMetadata> List<T> all(List<HasMetadata> objects, Class<T> type) {
        return objects.stream().filter(type::isInstance).map(type::cast).toList();
    }

    public static List<GenericKubernetesResource> ofKind(List<HasMetadata> objects, String kind) {
        return objects.stream().filter(o -> o instanceof GenericKubernetesResource && kind.equals(o.getKind()))
                .map(GenericKubernetesResource.class::cast).toList();
    }

    public static String describe(HasMetadata o) {
        String ns = o.getMetadata().getNamespace();
        return o.getKind() + " " + (ns == null ? "" : ns + "/") + o.getMetadata().getName();
    }

    /** The object as a JSON tree, the form used for comparing objects field by field. */
    public static JsonNode tree(HasMetadata o) {
        try {
            return JSON.readTree(SERIALIZATION.asJson(o));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Paths of fields the typed model did not recognise. Untyped objects (CRDs such as ServiceMonitor) are skipped. */
    public static List<String> unknownFields(HasMetadata o) {
        List<String> found = new ArrayList<>();
        if (!(o instanceof GenericKubernetesResource)) {
            walk(o, describe(o), found);
        }
        return found;
    }

    private static void walk(Object value, String path, List<String> found) {
        if (value == null) {
            return;
        }
        if (value instanceof Collection<?> items) {
            int i = 0;
            for (Object item : items) {
                walk(item, path + "[" + i++ + "]", found);
            }
            return;
        }
        if (value instanceof Map<?, ?> map) {
            map.forEach((k, v) -> walk(v, path + "." + k, found));
            return;
        }
        if (!value.getClass().getPackageName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method m : value.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
                    || m.getDeclaringClass() == Object.class) {
                continue;
            }
            Object child;
            try {
                child = m.invoke(value);
            } catch (ReflectiveOperationException e) {
                continue;
            }
            if (m.getName().equals("getAdditionalProperties")) {
                if (child instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    extra.keySet().forEach(k -> found.add(path + "." + k));
                }
                continue;
            }
            String field = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
            walk(child, path + "." + field, found);
        }
    }
}
