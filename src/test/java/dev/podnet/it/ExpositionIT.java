package dev.podnet.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.Sh;
import dev.podnet.testing.TestAgent;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** What Prometheus and promtool see: valid exposition in every negotiated format. */
class ExpositionIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @Test
    void promtoolCheckMetricsIsCleanOnARealScrape() throws Exception {
        org.junit.jupiter.api.Assumptions.assumeTrue(Sh.available("promtool"), "needs promtool (Debian package prometheus)");
        try (NetnsLab lab = NetnsLab.isRoot() ? new NetnsLab() : null;
             TestAgent agent = TestAgent.start("")) {
            if (lab != null) {
                lab.veth(lab.add("a"), "10.232.0.1/24", lab.add("b"), "10.232.0.2/24");
            }
            String text = agent.get("/metrics");
            Path file = Files.createTempFile("podnet-scrape", ".prom");
            try {
                Files.writeString(file, text);
                Sh.Result r = Sh.tryRun(java.util.List.of("sh", "-c", "promtool check metrics < " + file));
                assertEquals(0, r.exit(), "promtool check metrics:\n" + r.out());
                assertTrue(r.out().isBlank(), "promtool has no lint warnings:\n" + r.out());
            } finally {
                Files.deleteIfExists(file);
            }
        }
    }

    @Test
    void servesOpenMetricsProtobufAndGzipByNegotiation() throws Exception {
        try (TestAgent agent = TestAgent.start("probes: [netdev]\n")) {
            URI uri = URI.create("http://127.0.0.1:" + agent.port() + "/metrics");

            HttpResponse<String> om = HTTP.send(HttpRequest.newBuilder(uri)
                    .header("Accept", "application/openmetrics-text; version=1.0.0").build(), HttpResponse.BodyHandlers.ofString());
            assertTrue(om.headers().firstValue("Content-Type").orElse("").startsWith("application/openmetrics-text"));
            assertTrue(om.body().contains("# TYPE podnet_netdev_receive_bytes counter") && om.body().endsWith("# EOF\n"), om.body());

            HttpResponse<byte[]> pb = HTTP.send(HttpRequest.newBuilder(uri)
                    .header("Accept", "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited")
                    .build(), HttpResponse.BodyHandlers.ofByteArray());
            assertTrue(pb.headers().firstValue("Content-Type").orElse("").contains("application/vnd.google.protobuf"));
            assertTrue(new String(pb.body(), StandardCharsets.ISO_8859_1).contains("podnet_netdev_receive_bytes_total"));

            HttpResponse<byte[]> gz = HTTP.send(HttpRequest.newBuilder(uri).header("Accept-Encoding", "gzip").build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            assertEquals("gzip", gz.headers().firstValue("Content-Encoding").orElse(""));
            String text = new String(new GZIPInputStream(new ByteArrayInputStream(gz.body())).readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(text.contains("podnet_netdev_receive_bytes_total{"));
            String plain = HTTP.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertEquals(seriesOf(plain, "podnet_netdev_"), seriesOf(text, "podnet_netdev_"), "gzip carries the same series");
        }
    }

    private static java.util.List<String> seriesOf(String body, String prefix) {
        return body.lines().filter(l -> l.startsWith(prefix)).map(l -> l.substring(0, l.lastIndexOf(' '))).toList();
    }

    @Test
    void selectsFamiliesByNameAndAnswersHead() throws Exception {
        try (TestAgent agent = TestAgent.start("probes: [netdev]\n")) {
            URI base = URI.create("http://127.0.0.1:" + agent.port() + "/metrics");
            String only = HTTP.send(HttpRequest.newBuilder(URI.create(base + "?name[]=podnet_netns_discovered&name%5B%5D=podnet_probe_up"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
            assertTrue(only.contains("podnet_netns_discovered ") && only.contains("podnet_probe_up{"), only);
            assertFalse(only.contains("podnet_netdev_"), only);

            HttpResponse<String> head = HTTP.send(HttpRequest.newBuilder(base).method("HEAD", HttpRequest.BodyPublishers.noBody())
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(200, head.statusCode());
            assertTrue(head.headers().firstValue("Content-Type").orElse("").startsWith("text/plain"));
            assertEquals("", head.body());
            HttpResponse<String> post = HTTP.send(HttpRequest.newBuilder(base).POST(HttpRequest.BodyPublishers.noBody())
                    .build(), HttpResponse.BodyHandlers.ofString());
            assertEquals(405, post.statusCode());
        }
    }

    @Test
    void statusIsJsonWithVersionUptimeProbesAndNamespaceCount() throws Exception {
        try (TestAgent agent = TestAgent.start("probes: [netdev]\n")) {
            agent.scrape();
            var status = new com.fasterxml.jackson.databind.ObjectMapper().readTree(agent.get("/status"));
            assertTrue(status.has("version") && status.get("uptimeSeconds").asDouble() > 0);
            assertTrue(status.get("namespaces").asInt() >= 1);
            assertEquals("netdev", status.get("probes").get(0).get("name").asText());
            assertEquals("RUNNING", status.get("probes").get(0).get("state").asText());
            assertTrue(status.get("probes").get(0).has("lastDurationMs"));
        }
    }
}
