package dev.podnet.traffic;

import dev.podnet.bpf.BpfAttachment;
import dev.podnet.bpf.BpfException;
import dev.podnet.bpf.Btf;
import java.util.ArrayList;
import java.util.List;

/**
 * The two tracepoint programs that add retransmissions (tcp:tcp_retransmit_skb) and drops
 * (skb:kfree_skb) to flows, attached only while some namespace's flows are kept: without flow tasks
 * they cost nothing. Which variant of each program fits depends on the tracepoint's arguments in the
 * running kernel, read from its BTF.
 */
final class FlowHooks implements AutoCloseable {
    private final TrafficObject program;
    private final List<BpfAttachment> attached = new ArrayList<>();

    FlowHooks(TrafficObject program) {
        this.program = program;
    }

    /** Attaches or detaches the programs; idempotent. */
    synchronized void enable(boolean on) throws BpfException {
        if (on == !attached.isEmpty()) {
            return;
        }
        if (!on) {
            close();
            return;
        }
        int retransmitArgs;
        int freeArgs;
        try (Btf btf = Btf.loadVmlinux()) {
            retransmitArgs = btf.tracepointArity("tcp_retransmit_skb");
            freeArgs = btf.tracepointArity("kfree_skb");
        }
        try {
            attached.add(program.program(retransmitArgs >= 3 ? "flow_retransmit_err" : "flow_retransmit")
                    .attachRawTracepoint("tcp_retransmit_skb"));
            attached.add(program.program(freeArgs >= 4 ? "flow_kfree_skb_rx_sk" : "flow_kfree_skb")
                    .attachRawTracepoint("kfree_skb"));
        } catch (BpfException e) {
            close();
            throw e;
        }
    }

    synchronized boolean enabled() {
        return !attached.isEmpty();
    }

    @Override
    public synchronized void close() {
        attached.forEach(BpfAttachment::close);
        attached.clear();
    }
}
