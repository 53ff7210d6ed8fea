package dev.podnet.probe.bpf;

import java.util.HashMap;
import java.util.Map;

/**
 * Names of a kernel enum's values as the running kernel's BTF defines them, without their common prefix
 * ({@code SK_RST_REASON_TCP_ABORT_ON_CLOSE} -> {@code TCP_ABORT_ON_CLOSE}); a value the enum lacks is
 * {@code UNKNOWN_<value>}.
 */
final class KernelEnumNames {
    static final KernelEnumNames NONE = new KernelEnumNames(Map.of(), "");

    private final Map<Long, String> names = new HashMap<>();

    KernelEnumNames(Map<Long, String> values, String prefix) {
        values.forEach((value, name) -> names.put(value, name.startsWith(prefix) ? name.substring(prefix.length()) : name));
    }

    String name(long value) {
        String name = names.get(value);
        return name != null ? name : "UNKNOWN_" + value;
    }
}
