package dev.podnet.probe;

import dev.podnet.probe.netlink.QdiscProbe;
import dev.podnet.probe.netlink.TcpSummaryProbe;
import dev.podnet.probe.procfs.NetdevProbe;

/** The probes shipped with podnet, in the order `podnet probes` lists them. */
final class StandardProbes {
    private StandardProbes() {
    }

    static ProbeCatalog register(ProbeCatalog catalog) {
        return catalog
                .register(NetdevProbe::new)
                .register(TcpSummaryProbe::new)
                .register(QdiscProbe::new);
    }
}
