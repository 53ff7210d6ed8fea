package dev.podnet.probe.bpf;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;

/** Skips a test, with the reason, on machines where podnet's CO-RE BPF programs cannot load. */
final class BpfLab {
    private BpfLab() {
    }

    static void assumeBpf() {
        assumeTrue(Files.exists(Path.of("/sys/kernel/btf/vmlinux")),
                "needs kernel BTF (/sys/kernel/btf/vmlinux, CONFIG_DEBUG_INFO_BTF) for CO-RE BPF programs");
    }
}
