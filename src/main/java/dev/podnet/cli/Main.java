package dev.podnet.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: {@code podnet run | status | watch | probes}. */
@Command(name = "podnet", mixinStandardHelpOptions = true, versionProvider = Main.VersionProvider.class,
        description = "Per-pod network metrics for Kubernetes nodes, exported to Prometheus.",
        subcommands = {RunCommand.class, StatusCommand.class, WatchCommand.class, ProbesCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Runnable {

    public static void main(String[] args) {
        System.exit(commandLine().execute(args));
    }

    static CommandLine commandLine() {
        return new CommandLine(new Main());
    }

    @Override
    public void run() {
        CommandLine.usage(this, System.out);
    }

    static final class VersionProvider implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            return new String[] {"podnet " + Version.get()};
        }
    }
}
