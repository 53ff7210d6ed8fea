package dev.podnet.cli;

import java.io.BufferedReader;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.ConnectException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The {@code /events} stream of one agent, for as long as it takes: reads it line by line, and when the
 * connection fails or the agent goes quiet for longer than three heartbeats, connects again after an
 * exponential backoff (with jitter, so that many watchers do not return at once), resuming with
 * Last-Event-ID from the last id the stream named. An answer that will not change by retrying (a 4xx
 * other than 408 and 429) ends it.
 */
final class AgentStream implements Runnable {
    static final Duration FIRST_RETRY = Duration.ofMillis(500);
    static final Duration LONGEST_RETRY = Duration.ofSeconds(30);
    /** Three of the agent's 15 s heartbeats. */
    static final Duration QUIET_LIMIT = Duration.ofSeconds(45);

    /** What the stream tells: events as they come, and its state changes (not every failed retry). */
    interface Listener {
        void event(AgentStream from, String id, String data);

        /** @param again whether it was connected before; @param resumeAfter the id it resumes after, "" if none */
        void connected(AgentStream from, boolean again, String resumeAfter);

        /** @param wasConnected false when the first attempts fail */
        void lost(AgentStream from, boolean wasConnected, String reason, Duration retryIn);

        void gaveUp(AgentStream from, String reason);
    }

    /** The Authorization header for the next request, null for none; read per request so rotated files count. */
    interface Credentials {
        String authorization() throws IOException;
    }

    private final String name;
    private final URI uri;
    private final HttpClient client;
    private final Credentials credentials;
    private final Listener listener;
    private final Duration quietLimit;
    private volatile boolean stopped;
    private volatile InputStream body;
    private volatile long lastHeard;
    private volatile boolean wentQuiet;
    private String lastEventId = "";

    AgentStream(String name, URI uri, HttpClient client, Credentials credentials, Listener listener, Duration quietLimit) {
        this.name = name;
        this.uri = uri;
        this.client = client;
        this.credentials = credentials;
        this.listener = listener;
        this.quietLimit = quietLimit;
    }

    /** The agent as the user named it. */
    String name() {
        return name;
    }

    @Override
    public void run() {
        Duration retry = FIRST_RETRY;
        boolean everConnected = false;
        boolean up = true; // so that the first failure is reported
        while (!stopped) {
            String reason;
            Duration atLeast = Duration.ZERO;
            try {
                HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30))
                        .header("Accept", "text/event-stream").header("Cache-Control", "no-cache");
                if (!lastEventId.isEmpty()) {
                    request.header("Last-Event-ID", lastEventId);
                }
                String authorization = credentials.authorization();
                if (authorization != null) {
                    request.header("Authorization", authorization);
                }
                HttpResponse<InputStream> response = client.send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
                if (response.statusCode() == 200) {
                    listener.connected(this, everConnected, lastEventId);
                    everConnected = true;
                    up = true;
                    retry = FIRST_RETRY;
                    reason = read(response.body());
                } else {
                    reason = "HTTP " + response.statusCode() + firstLine(response.body());
                    int code = response.statusCode();
                    if (code >= 400 && code < 500 && code != 408 && code != 429) {
                        listener.gaveUp(this, reason + (code == 404 ? " (an agent without /events: older than this podnet?)" : ""));
                        return;
                    }
                    atLeast = retryAfter(response);
                }
            } catch (IOException e) {
                reason = describe(e);
            } catch (InterruptedException e) {
                return;
            }
            if (stopped) {
                return;
            }
            Duration delay = jitter(retry);
            delay = delay.compareTo(atLeast) < 0 ? atLeast : delay;
            if (up) {
                listener.lost(this, everConnected, reason, delay);
                up = false;
            }
            try {
                Thread.sleep(delay);
            } catch (InterruptedException e) {
                return;
            }
            retry = retry.multipliedBy(2).compareTo(LONGEST_RETRY) > 0 ? LONGEST_RETRY : retry.multipliedBy(2);
        }
    }

    /** Reads messages until the stream ends; says why it ended. */
    private String read(InputStream in) {
        body = in;
        wentQuiet = false;
        lastHeard = System.nanoTime();
        Thread watchdog = Thread.ofVirtual().name("quiet " + name).start(() -> {
            try {
                while (true) {
                    Thread.sleep(quietLimit.dividedBy(4));
                    if (System.nanoTime() - lastHeard > quietLimit.toNanos()) {
                        wentQuiet = true;
                        in.close(); // wakes the reader
                        return;
                    }
                }
            } catch (InterruptedException | IOException e) {
                // the stream ended first
            }
        });
        SseParser parser = new SseParser(lastEventId);
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = lines.readLine()) != null) {
                lastHeard = System.nanoTime();
                SseParser.Message message = parser.line(line);
                lastEventId = parser.lastEventId();
                if (message != null) {
                    listener.event(this, message.id(), message.data());
                }
            }
            return "the agent ended the stream";
        } catch (IOException e) {
            return wentQuiet ? "nothing heard for " + quietLimit.toMillis() / 1000.0 + " s" : describe(e);
        } finally {
            watchdog.interrupt();
            body = null;
        }
    }

    /** Ends the stream: the current connection is closed and no other is made. */
    void stop() {
        stopped = true;
        InputStream in = body;
        if (in != null) {
            try {
                in.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    static Duration jitter(Duration d) {
        return Duration.ofNanos((long) (d.toNanos() * ThreadLocalRandom.current().nextDouble(0.8, 1.2)));
    }

    private static Duration retryAfter(HttpResponse<?> response) {
        try {
            return Duration.ofSeconds(Math.min(300, Long.parseLong(response.headers().firstValue("Retry-After").orElse("0").strip())));
        } catch (NumberFormatException e) {
            return Duration.ZERO;
        }
    }

    private static String firstLine(InputStream body) {
        try (body) {
            String text = new String(body.readNBytes(500), StandardCharsets.UTF_8).strip();
            int newline = text.indexOf('\n');
            text = newline < 0 ? text : text.substring(0, newline);
            return text.isEmpty() ? "" : ": " + text;
        } catch (IOException e) {
            return "";
        }
    }

    /** Says what went wrong: the HTTP client wraps "refused" and "unknown host" in exceptions without messages. */
    static String describe(Throwable e) {
        Throwable root = e;
        String message = null;
        for (Throwable t = e; t != null; t = t.getCause()) {
            root = t;
            if (message == null && t.getMessage() != null && !t.getMessage().isBlank()) {
                message = t.getMessage();
            }
        }
        if (root instanceof UnresolvedAddressException) {
            return "unknown host";
        }
        if (e instanceof HttpConnectTimeoutException) {
            return "connect timed out";
        }
        if (e instanceof ConnectException) {
            return message == null ? "cannot connect (refused or unreachable)" : "cannot connect: " + message;
        }
        if (root instanceof EOFException) {
            return "the connection was closed";
        }
        if (e instanceof HttpTimeoutException) {
            return "no answer within the request timeout";
        }
        return message == null ? e.getClass().getSimpleName() : message;
    }
}
