package dev.podnet.cli;

import dev.podnet.probe.ProbeCatalog;
import dev.podnet.probe.ProbeInfo;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code podnet probes}: what podnet can collect, and what runs by default. */
@Command(name = "probes", mixinStandardHelpOptions = true, description = "List the probes with source, overhead and default.")
public final class ProbesCommand implements Callable<Integer> {

    @Override
    public Integer call() {
        System.out.printf("%-14s %-8s %-8s %-8s %s%n", "PROBE", "SOURCE", "OVERHEAD", "DEFAULT", "DESCRIPTION");
        for (ProbeInfo info : ProbeCatalog.standard().infos()) {
            System.out.printf("%-14s %-8s %-8s %-8s %s%n", info.name(), info.source().label(), info.overhead().label(),
                    info.enabledByDefault() ? "on" : "off", info.description());
        }
        return 0;
    }
}
