package dev.podnet.probe;

/** Where a probe's data comes from; shown in `podnet probes` and /status. */
public enum ProbeSource {
    PROCFS, NETLINK, BPF;

    public String label() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }
}
