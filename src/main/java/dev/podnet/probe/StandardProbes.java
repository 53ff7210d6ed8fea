package dev.podnet.probe;

import dev.podnet.probe.bpf.NetifTxProbe;
import dev.podnet.probe.bpf.PacketLossProbe;
import dev.podnet.probe.bpf.SockBufProbe;
import dev.podnet.probe.bpf.SoftirqProbe;
import dev.podnet.probe.bpf.TcpConnProbe;
import dev.podnet.probe.bpf.TcpResetProbe;
import dev.podnet.probe.bpf.TcpRetransProbe;
import dev.podnet.probe.netlink.QdiscProbe;
import dev.podnet.probe.netlink.TcpSummaryProbe;
import dev.podnet.probe.procfs.ConntrackProbe;
import dev.podnet.probe.procfs.FdProbe;
import dev.podnet.probe.procfs.IoProbe;
import dev.podnet.probe.procfs.NetdevProbe;
import dev.podnet.probe.procfs.NetstatProbe;
import dev.podnet.probe.procfs.Snmp6Probe;
import dev.podnet.probe.procfs.SnmpProbe;
import dev.podnet.probe.procfs.SockstatProbe;
import dev.podnet.probe.procfs.SoftnetProbe;
import dev.podnet.traffic.TrafficProbe;

/** The probes shipped with podnet, in the order `podnet probes` lists them. */
final class StandardProbes {
    private StandardProbes() {
    }

    static ProbeCatalog register(ProbeCatalog catalog) {
        return catalog
                .register(NetdevProbe::new)
                .register(SnmpProbe::new)
                .register(Snmp6Probe::new)
                .register(NetstatProbe::new)
                .register(SockstatProbe::new)
                .register(SoftnetProbe::new)
                .register(ConntrackProbe::new)
                .register(FdProbe::new)
                .register(IoProbe::new)
                .register(TcpSummaryProbe::new)
                .register(QdiscProbe::new)
                .register(TcpRetransProbe::new)
                .register(TcpResetProbe::new)
                .register(TcpConnProbe::new)
                .register(PacketLossProbe::new)
                .register(SoftirqProbe::new)
                .register(NetifTxProbe::new)
                .register(SockBufProbe::new)
                .register(TrafficProbe::new);
    }
}
