package dev.podnet.policy;

import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/** MonitorPolicy objects for tests: the dolphin examples under src/test/resources/policies, or YAML given inline. */
final class Policies {
    private Policies() {
    }

    static MonitorPolicy resource(String name) {
        try (InputStream in = Policies.class.getResourceAsStream("/policies/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no test policy " + name);
            }
            return parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static String text(String name) {
        try (InputStream in = Policies.class.getResourceAsStream("/policies/" + name)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static MonitorPolicy parse(String yaml) {
        return Serialization.unmarshal(yaml, MonitorPolicy.class);
    }

    /** A policy {@code name} in {@code namespace} with the given spec (YAML, indented by two). */
    static MonitorPolicy of(String namespace, String name, String created, String specYaml) {
        return parse("""
                apiVersion: podnet.dev/v1alpha1
                kind: MonitorPolicy
                metadata:
                  name: %s
                  namespace: %s
                  creationTimestamp: "%s"
                spec:
                %s
                """.formatted(name, namespace, created, specYaml.indent(2)));
    }
}
