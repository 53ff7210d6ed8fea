package dev.podnet.traffic;

import dev.podnet.probe.FlowWatch;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** How the kernel keeps a namespace's flows (traffic.bpf.c's FLOW_*). */
enum FlowMode {
    NONE(0), SERVICE(1), FIVE_TUPLE(2);

    private final int kernelValue;

    FlowMode(int kernelValue) {
        this.kernelValue = kernelValue;
    }

    int kernelValue() {
        return kernelValue;
    }

    /**
     * Each watched namespace's mode: by 5-tuple when any of its watches wants the full tuple (the others
     * fold ports in user space), else by service.
     */
    static Map<Long, FlowMode> of(List<FlowWatch> watches) {
        Map<Long, FlowMode> modes = new HashMap<>();
        for (FlowWatch w : watches) {
            modes.merge(w.netns(), w.fiveTuple() ? FIVE_TUPLE : SERVICE, (a, b) -> a == FIVE_TUPLE ? a : b);
        }
        return modes;
    }
}
