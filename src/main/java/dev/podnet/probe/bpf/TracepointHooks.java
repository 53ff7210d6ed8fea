package dev.podnet.probe.bpf;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Which tracepoint each program of a BPF probe attaches to: the probe's defaults, overridden by its
 * settings. {@code tracepoint: "tcp/other"} replaces the only tracepoint of a one-tracepoint probe;
 * {@code tracepoints: {"tcp/tcp_send_reset": "tcp/other"}} replaces named ones. This is how an
 * operator follows a renamed tracepoint, and how tests point a probe at one that does not exist.
 */
final class TracepointHooks {
    static final Set<String> SETTINGS = Set.of("tracepoint", "tracepoints");

    /**
     * A program and its tracepoint, {@code category/name} as in tracefs (raw tracepoints use only the
     * name).
     */
    record Hook(String program, String tracepoint) {
        String rawName() {
            return tracepoint.substring(tracepoint.indexOf('/') + 1);
        }
    }

    private TracepointHooks() {
    }

    /**
     * Checks a BPF probe's settings: only the known keys, each well formed.
     *
     * @throws IllegalArgumentException naming the bad setting
     */
    static void check(String probe, List<Hook> defaults, Map<String, Object> settings) {
        check(probe, defaults, settings, Set.of());
    }

    /**
     * As {@link #check(String, List, Map)} for a probe that also has settings of its own, {@code ownKeys},
     * whose values it checks itself.
     */
    static void check(String probe, List<Hook> defaults, Map<String, Object> settings, Set<String> ownKeys) {
        for (String key : settings.keySet()) {
            if (!SETTINGS.contains(key) && !ownKeys.contains(key)) {
                List<String> known = new ArrayList<>(List.of("tracepoint", "tracepoints"));
                known.addAll(ownKeys.stream().sorted().toList());
                throw new IllegalArgumentException("probeSettings." + probe + "." + key
                        + ": unknown setting; this probe knows " + known);
            }
        }
        resolve(probe, defaults, settings);
    }

    /** The hooks to attach; a malformed setting fails with a message naming it. */
    static List<Hook> resolve(String probe, List<Hook> defaults, Map<String, Object> settings) {
        String prefix = "probeSettings." + probe + ".";
        Map<String, String> overrides = new LinkedHashMap<>();
        Object single = settings.get("tracepoint");
        if (single != null) {
            if (defaults.size() != 1) {
                throw new IllegalArgumentException(prefix + "tracepoint: this probe attaches to " + defaults.size()
                        + " tracepoints " + tracepoints(defaults) + "; use tracepoints: {<default>: <replacement>}");
            }
            overrides.put(defaults.getFirst().tracepoint(), text(prefix + "tracepoint", single));
        }
        Object several = settings.get("tracepoints");
        if (several != null) {
            if (!(several instanceof Map<?, ?> map)) {
                throw new IllegalArgumentException(prefix + "tracepoints: expected a mapping of default tracepoint to replacement");
            }
            for (Map.Entry<?, ?> e : map.entrySet()) {
                String from = String.valueOf(e.getKey());
                if (defaults.stream().noneMatch(h -> h.tracepoint().equals(from))) {
                    throw new IllegalArgumentException(prefix + "tracepoints." + from + ": not a tracepoint of this probe; it uses "
                            + tracepoints(defaults));
                }
                overrides.put(from, text(prefix + "tracepoints." + from, e.getValue()));
            }
        }
        List<Hook> hooks = new ArrayList<>();
        for (Hook hook : defaults) {
            hooks.add(new Hook(hook.program(), overrides.getOrDefault(hook.tracepoint(), hook.tracepoint())));
        }
        return hooks;
    }

    private static String text(String field, Object value) {
        if (!(value instanceof String s) || s.isBlank() || s.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException(field + ": expected a tracepoint such as \"tcp/tcp_retransmit_skb\", got " + value);
        }
        return s;
    }

    private static List<String> tracepoints(List<Hook> hooks) {
        return hooks.stream().map(Hook::tracepoint).toList();
    }
}
