package dev.podnet.bpf;

/** Kernel map types (enum bpf_map_type) the binding tells apart; the rest are {@link #OTHER}. */
public enum BpfMapType {
    HASH(1, false), ARRAY(2, false), PERCPU_HASH(5, true), PERCPU_ARRAY(6, true), LRU_HASH(9, false),
    LRU_PERCPU_HASH(10, true), PERCPU_CGROUP_STORAGE(21, true), RINGBUF(27, false), OTHER(-1, false);

    private final int id;
    private final boolean perCpu;

    BpfMapType(int id, boolean perCpu) {
        this.id = id;
        this.perCpu = perCpu;
    }

    /** Whether a lookup returns one value per possible CPU. */
    public boolean perCpu() {
        return perCpu;
    }

    static BpfMapType of(int id) {
        for (BpfMapType type : values()) {
            if (type.id == id) {
                return type;
            }
        }
        return OTHER;
    }
}
