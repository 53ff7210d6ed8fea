package dev.podnet.probe;

import dev.podnet.probe.bpf.NetifTxProbe;
import dev.podnet.probe.bpf.PacketLossProbe;
import dev.podnet.probe.bpf.SockBufProbe;
import dev.podnet.probe.bpf.SoftirqProbe;
import dev.podnet.probe.bpf.TcpConnProbe;
import dev.podnet.probe.bpf.TcpResetProbe;
import dev.podnet.probe.bpf.TcpRetransProbe;
import dev.podnet.probe.procfs.NetdevProbe;

/** The probes shipped with podnet, in the order `podnet probes` lists them. */
final class StandardProbes {
    private StandardProbes() {
    }

    static ProbeCatalog register(ProbeCatalog catalog) {
        return catalog
                .register(NetdevProbe::new)
                .register(TcpRetransProbe::new)
                .register(TcpResetProbe::new)
                .register(TcpConnProbe::new)
                .register(PacketLossProbe::new)
                .register(SoftirqProbe::new)
                .register(NetifTxProbe::new)
                .register(SockBufProbe::new);
    }
}
