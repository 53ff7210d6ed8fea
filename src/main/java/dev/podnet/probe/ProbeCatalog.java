package dev.podnet.probe;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * Every probe podnet knows, by name. Constructors are cheap; the work of acquiring resources happens
 * in {@link Probe#start}. Add a probe here and it appears in {@code podnet probes}, the config
 * validation and the README table.
 */
public final class ProbeCatalog {
    private final Map<String, Supplier<Probe>> factories = new LinkedHashMap<>();
    private final Map<String, ProbeInfo> infos = new LinkedHashMap<>();

    public ProbeCatalog register(Supplier<Probe> factory) {
        ProbeInfo info = factory.get().info();
        if (factories.putIfAbsent(info.name(), factory) != null) {
            throw new IllegalStateException("two probes named " + info.name());
        }
        infos.put(info.name(), info);
        return this;
    }

    public static ProbeCatalog standard() {
        return StandardProbes.register(new ProbeCatalog());
    }

    public boolean contains(String name) {
        return factories.containsKey(name);
    }

    public Probe create(String name) {
        Supplier<Probe> factory = factories.get(name);
        if (factory == null) {
            throw new IllegalArgumentException("unknown probe " + name);
        }
        return factory.get();
    }

    /**
     * Checks one probe's settings as {@link Probe#checkSettings} does.
     *
     * @throws IllegalArgumentException for an unknown probe or a bad setting
     */
    public void checkSettings(String name, Map<String, Object> settings) {
        create(name).checkSettings(settings);
    }

    public List<ProbeInfo> infos() {
        return List.copyOf(infos.values());
    }

    public List<String> names() {
        return List.copyOf(infos.keySet());
    }

    public List<String> defaultNames() {
        List<String> names = new ArrayList<>();
        for (ProbeInfo info : infos.values()) {
            if (info.enabledByDefault()) {
                names.add(info.name());
            }
        }
        return names;
    }
}
