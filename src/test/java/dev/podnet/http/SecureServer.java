package dev.podnet.http;

import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLContext;

/**
 * A {@link MetricsServer} on a loopback ephemeral port behind a web config file written to a directory,
 * with a registry holding one known counter ({@code podnet_test_requests_total}) and the web config's
 * reload counter. Requests go through a new JDK HttpClient each time, so every request is a new
 * connection with a full handshake.
 */
final class SecureServer implements AutoCloseable {
    static final String KNOWN_SERIES = "podnet_test_requests_total";

    final Path webConfig;
    final PrometheusRegistry registry = new PrometheusRegistry();
    final WebSecurity security;
    final MetricsServer server;

    private SecureServer(Path webConfig) throws Exception {
        this.webConfig = webConfig;
        Counter.builder().name(KNOWN_SERIES).help("A series the tests look for.").register(registry).inc();
        security = WebSecurity.load(webConfig);
        security.register(registry);
        server = new MetricsServer("127.0.0.1", 0, registry,
                () -> new StatusReport("test", 0, 0, -1, List.of(), null, null), null, security);
    }

    /** Writes {@code yaml} to {@code dir}/web-config.yml and starts the server with it. */
    static SecureServer start(Path dir, String yaml) throws Exception {
        Path file = dir.resolve("web-config.yml");
        Files.writeString(file, yaml);
        return new SecureServer(file);
    }

    String url(String path) {
        return (server.tls() ? "https" : "http") + "://127.0.0.1:" + server.port() + path;
    }

    /** GET {@code path}; {@code user} null sends no credentials; {@code ssl} null uses the JVM's defaults. */
    HttpResponse<String> get(String path, SSLContext ssl, String user, String password) throws IOException, InterruptedException {
        HttpClient.Builder builder = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(10));
        if (ssl != null) {
            builder.sslContext(ssl);
        }
        try (HttpClient client = builder.build()) {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url(path))).timeout(Duration.ofSeconds(30));
            if (user != null) {
                request.header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8)));
            }
            return client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        }
    }

    /** The value of {@code podnet_web_config_reloads_total{result}}, read from the registry. */
    double reloads(String result) {
        return registry.scrape().stream().filter(m -> m.getMetadata().getPrometheusName().equals("podnet_web_config_reloads"))
                .flatMap(m -> m.getDataPoints().stream())
                .filter(d -> result.equals(d.getLabels().get("result")))
                .mapToDouble(d -> ((io.prometheus.metrics.model.snapshots.CounterSnapshot.CounterDataPointSnapshot) d).getValue())
                .findFirst().orElseThrow(() -> new AssertionError("no podnet_web_config_reloads_total{result=\"" + result + "\"}"));
    }

    @Override
    public void close() {
        server.close();
        security.close();
    }
}
