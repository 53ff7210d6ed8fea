package dev.podnet.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code podnet status}: asks a running agent how it is doing. */
@Command(name = "status", mixinStandardHelpOptions = true, description = "Show the state of a running agent's probes.")
public final class StatusCommand implements Callable<Integer> {

    @Option(names = "--agent", paramLabel = "URL", defaultValue = "http://127.0.0.1:9475",
            description = "Base URL of the agent. Default: ${DEFAULT-VALUE}.")
    String agent;

    @Option(names = "--json", description = "Print the raw /status JSON.")
    boolean json;

    @Mixin
    AgentAccess access;

    @Override
    public Integer call() throws Exception {
        String problem = access.problem();
        if (problem != null) {
            System.err.println("podnet: " + problem);
            return 2;
        }
        HttpClient client = access.httpClient();
        HttpResponse<String> response;
        try {
            response = client.send(access.authorize(HttpRequest.newBuilder(URI.create(agent.replaceAll("/+$", "") + "/status"))
                    .timeout(Duration.ofSeconds(10))).build(), HttpResponse.BodyHandlers.ofString());
        } catch (java.io.IOException e) {
            System.err.println("podnet: cannot reach the agent at " + agent + ": " + e);
            return 1;
        }
        if (response.statusCode() != 200) {
            System.err.println("podnet: " + agent + "/status answered HTTP " + response.statusCode());
            return 1;
        }
        if (json) {
            System.out.println(response.body());
            return 0;
        }
        JsonNode status = new ObjectMapper().readTree(response.body());
        System.out.printf("podnet %s, up %.0f s, %d network namespaces, last collection %.1f ms%n",
                status.path("version").asText(), status.path("uptimeSeconds").asDouble(),
                status.path("namespaces").asInt(), status.path("lastCollectionMs").asDouble());
        System.out.printf("%-14s %-8s %-12s %10s %8s  %s%n", "PROBE", "SOURCE", "STATE", "LAST MS", "ERRORS", "REASON");
        for (JsonNode probe : status.path("probes")) {
            String reason = probe.path("reason").isNull() ? probe.path("lastError").asText("") : probe.path("reason").asText();
            System.out.printf("%-14s %-8s %-12s %10.1f %8d  %s%n", probe.path("name").asText(),
                    probe.path("source").asText(), probe.path("state").asText().toLowerCase(),
                    probe.path("lastDurationMs").asDouble(), probe.path("errors").asLong(),
                    "null".equals(reason) ? "" : reason);
        }
        return 0;
    }
}
