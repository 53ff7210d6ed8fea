package dev.podnet.event;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.zip.GZIPOutputStream;

/**
 * POSTs gzip-compressed JSON for the HTTP sinks and turns the answer into the worker's terms: 2xx is
 * delivered; 429, 5xx, timeouts and connection errors may succeed later (retryable); any other status
 * never will (the batch is dropped and counted).
 */
final class HttpPush implements AutoCloseable {
    private static final int MAX_ERROR_TEXT = 200;

    private final HttpClient client;
    private final URI uri;
    private final Duration timeout;

    HttpPush(URI uri, Duration timeout) {
        this.uri = uri;
        this.timeout = timeout;
        // HTTP/1.1: no h2c upgrade attempt on plain http, which some proxies in front of Loki refuse.
        this.client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(timeout)
                .followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** @return the response body of a 2xx answer */
    String post(byte[] json, Map<String, String> headers) throws EventSink.SinkException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(timeout)
                .header("Content-Type", "application/json").header("Content-Encoding", "gzip")
                .header("User-Agent", "podnet").POST(HttpRequest.BodyPublishers.ofByteArray(gzip(json)));
        headers.forEach(request::header);
        HttpResponse<String> response;
        try {
            response = client.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (IOException e) {
            throw new EventSink.SinkException(uri + ": " + e, true, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new EventSink.SinkException(uri + ": interrupted", true, e);
        }
        int status = response.statusCode();
        if (status / 100 == 2) {
            return response.body();
        }
        String body = response.body() == null ? "" : response.body().strip();
        throw new EventSink.SinkException(uri + " answered " + status
                + (body.isEmpty() ? "" : ": " + (body.length() > MAX_ERROR_TEXT ? body.substring(0, MAX_ERROR_TEXT) + "..." : body)),
                retryable(status));
    }

    /** The other side may take the same request later: it is overloaded or failing, not refusing it. */
    static boolean retryable(int status) {
        return status == 429 || status == 408 || status / 100 == 5;
    }

    static byte[] gzip(byte[] data) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(data.length / 4 + 64);
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(data);
        } catch (IOException e) {
            throw new IllegalStateException("gzip in memory failed", e);
        }
        return out.toByteArray();
    }

    @Override
    public void close() {
        client.shutdownNow();
    }
}
