package dev.podnet.testing;

import dev.podnet.event.Event;
import dev.podnet.event.EventJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A plain Server-Sent Events reader of {@code /events}, written from the SSE spec and independent of the
 * product's own client: one virtual thread reads lines, a queue holds the messages with their ids.
 */
public final class SseClient implements AutoCloseable {
    /** One SSE message: its id ({@code id:} as last set) and its data, parsed as an event. */
    public record Message(long id, Event event) {
    }

    private static final Duration GUARD = Duration.ofSeconds(60);
    private static final Message END = new Message(-1, null);

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final HttpResponse<InputStream> response;
    private final LinkedBlockingQueue<Message> messages = new LinkedBlockingQueue<>();
    private final LinkedBlockingQueue<String> comments = new LinkedBlockingQueue<>();
    private final Thread reader;
    private volatile long lastId = -1;
    private volatile long firstId = -1;
    private volatile Throwable failure;

    public SseClient(String url, String lastEventId) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).header("Accept", "text/event-stream");
        if (lastEventId != null) {
            request.header("Last-Event-ID", lastEventId);
        }
        response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
        reader = Thread.ofVirtual().start(this::read);
    }

    public SseClient(String url) throws Exception {
        this(url, null);
    }

    public HttpResponse<InputStream> response() {
        return response;
    }

    private void read() {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(response.body(), StandardCharsets.UTF_8))) {
            StringBuilder data = null;
            String line;
            while ((line = lines.readLine()) != null) {
                if (line.isEmpty()) {
                    if (data != null) {
                        messages.add(new Message(lastId, EventJson.parse(data.toString())));
                    }
                    data = null;
                } else if (line.startsWith(":")) {
                    comments.add(line);
                } else if (line.startsWith("id: ")) {
                    lastId = Long.parseLong(line.substring(4));
                    if (firstId < 0) {
                        firstId = lastId;
                    }
                } else if (line.startsWith("data: ")) {
                    data = (data == null ? new StringBuilder() : data.append('\n')).append(line.substring(6));
                } else {
                    throw new IOException("not an SSE line: " + line);
                }
            }
        } catch (Throwable e) {
            failure = e;
        } finally {
            messages.add(END);
        }
    }

    /** The id the stream set first, -1 before it did. */
    public long firstId() {
        return firstId;
    }

    /** The next message; fails when the stream ends or, as a guard against a hang, after a minute. */
    public Message next() throws InterruptedException {
        Message m = messages.poll(GUARD.toSeconds(), TimeUnit.SECONDS);
        if (m == null) {
            throw new AssertionError("no event within " + GUARD.toSeconds() + " s");
        }
        if (m == END) {
            messages.add(END);
            throw new AssertionError("the stream ended", failure);
        }
        return m;
    }

    public List<Message> next(int count) throws InterruptedException {
        List<Message> result = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            result.add(next());
        }
        return result;
    }

    /** The next comment line ({@code : ...}); fails after a minute as a guard. */
    public String nextComment() throws InterruptedException {
        String c = comments.poll(GUARD.toSeconds(), TimeUnit.SECONDS);
        if (c == null) {
            throw new AssertionError("no comment within " + GUARD.toSeconds() + " s");
        }
        return c;
    }

    @Override
    public void close() throws Exception {
        client.shutdownNow();
        reader.interrupt();
        reader.join(10_000);
        client.close();
    }
}
