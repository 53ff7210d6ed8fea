package dev.podnet.cli;

import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.io.PrintWriter;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code podnet watch}: the events of several agents as one stream. Each agent is read by a virtual thread
 * of its own, which reconnects and resumes on its own; the lines are printed as they arrive.
 */
@Command(name = "watch", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Stream the events of one or more agents, merged, one line each.",
                "An agent that goes away is reconnected with growing pauses and resumed where it was (Last-Event-ID).",
                "Runs until interrupted; exits 1 when every agent refused the stream (bad filter, credentials, ...)."})
public final class WatchCommand implements Callable<Integer> {
    static final String DEFAULT_AGENT = "http://127.0.0.1:9475";

    @Option(names = "--agent", paramLabel = "URL",
            description = "Base URL of an agent; repeat for several. Default: " + DEFAULT_AGENT + " (none with --kubernetes).")
    List<String> agents = new ArrayList<>();

    @Option(names = "--type", paramLabel = "TYPE", split = ",", description = "Only events of these types (comma list).")
    List<String> types = new ArrayList<>();

    @Option(names = "--namespace", paramLabel = "NS", split = ",", description = "Only events of pods in these namespaces.")
    List<String> namespaces = new ArrayList<>();

    @Option(names = "--pod", paramLabel = "POD", split = ",", description = "Only events of these pods.")
    List<String> pods = new ArrayList<>();

    @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "text",
            description = "text (one line per event) or json (the event's JSON with \"agent\" and \"id\"). Default: ${DEFAULT-VALUE}.")
    WatchOutput.Format output;

    @Mixin
    AgentAccess access;

    @Mixin
    KubernetesAgents kubernetes;

    @Spec
    CommandSpec spec;

    Duration quietLimit = AgentStream.QUIET_LIMIT;
    KubernetesAgents.Forwarder forwarder = KubernetesAgents.PORT_FORWARD;

    @Override
    public Integer call() throws Exception {
        String problem = access.problem();
        if (problem != null) {
            throw new ParameterException(spec.commandLine(), problem);
        }
        String kubernetesProblem = kubernetes.problem();
        if (kubernetesProblem != null) {
            throw new ParameterException(spec.commandLine(), kubernetesProblem);
        }
        PrintWriter err = spec.commandLine().getErr();
        List<String> names = agents.isEmpty() && !kubernetes.enabled ? List.of(DEFAULT_AGENT) : agents;
        List<URI> uris = new ArrayList<>();
        for (String name : names) {
            uris.add(eventsUri(name));
        }
        if (access.sendsCredentials() && (uris.stream().anyMatch(u -> u.getScheme().equals("http"))
                || kubernetes.enabled && kubernetes.scheme.equals("http"))) {
            err.println("podnet: warning: credentials go over plain HTTP");
        }
        HttpClient client;
        try {
            client = access.httpClient();
        } catch (GeneralSecurityException e) {
            throw new ParameterException(spec.commandLine(), e.getMessage());
        }
        WatchOutput printer = new WatchOutput(spec.commandLine().getOut(), err, output);
        try (AgentStreams streams = new AgentStreams(client, access::authorization, printer, quietLimit)) {
            for (int i = 0; i < names.size(); i++) {
                streams.start(names.get(i), uris.get(i), null);
            }
            if (kubernetes.enabled) {
                try (KubernetesClient cluster = kubernetes.client()) {
                    kubernetes.follow(cluster, forwarder, streams, printer, this::eventsUri);
                } catch (KubernetesClientException e) {
                    err.println("podnet: cannot follow podnet's pods: " + AgentStream.describe(e));
                    return 1;
                }
            }
            streams.joinAll();
            return 1; // every stream ended by itself: every agent refused it
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return 0;
        } finally {
            client.shutdownNow();
        }
    }

    /** The agent's {@code /events} URL with the filters: the base URL as given, or a URL ending in /events already. */
    URI eventsUri(String agent) {
        URI base;
        try {
            base = new URI(agent.strip());
        } catch (URISyntaxException e) {
            throw new ParameterException(spec.commandLine(), "--agent " + agent + ": not a URL (" + e.getReason() + ")");
        }
        if (base.getScheme() == null || !(base.getScheme().equals("http") || base.getScheme().equals("https"))
                || base.getHost() == null) {
            throw new ParameterException(spec.commandLine(), "--agent " + agent + ": expected http://HOST:PORT or https://HOST:PORT");
        }
        String path = base.getRawPath() == null ? "" : base.getRawPath().replaceAll("/+$", "");
        if (!path.endsWith("/events")) {
            path += "/events";
        }
        List<String> query = new ArrayList<>();
        add(query, "type", types.stream().map(t -> t.strip().toUpperCase(Locale.ROOT)).toList());
        add(query, "namespace", namespaces);
        add(query, "pod", pods);
        String authority = base.getRawAuthority();
        return URI.create(base.getScheme() + "://" + authority + path + (query.isEmpty() ? "" : "?" + String.join("&", query)));
    }

    private static void add(List<String> query, String name, List<String> values) {
        List<String> kept = values.stream().map(String::strip).filter(v -> !v.isEmpty()).toList();
        if (!kept.isEmpty()) {
            query.add(name + "=" + URLEncoder.encode(String.join(",", kept), StandardCharsets.UTF_8));
        }
    }
}
