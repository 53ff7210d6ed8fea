package dev.podnet.cli;

import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The agents being watched, each on a virtual thread of its own, by name. Agents can come and go while
 * the watch runs (pods of a DaemonSet); what an agent needs beside its stream (a port-forward) is closed
 * with it.
 */
final class AgentStreams implements AutoCloseable {
    private record Running(AgentStream stream, Thread thread, AutoCloseable resource) {
    }

    private final HttpClient client;
    private final AgentStream.Credentials credentials;
    private final AgentStream.Listener listener;
    private final Duration quietLimit;
    private final Map<String, Running> running = new ConcurrentHashMap<>();

    AgentStreams(HttpClient client, AgentStream.Credentials credentials, AgentStream.Listener listener, Duration quietLimit) {
        this.client = client;
        this.credentials = credentials;
        this.listener = listener;
        this.quietLimit = quietLimit;
    }

    /** Starts watching an agent; {@code resource} (may be null) is closed when it stops. */
    synchronized void start(String name, URI events, AutoCloseable resource) {
        AgentStream stream = new AgentStream(name, events, client, credentials, listener, quietLimit);
        running.put(name, new Running(stream, Thread.ofVirtual().name("watch " + name).start(stream), resource));
    }

    boolean has(String name) {
        return running.containsKey(name);
    }

    boolean hasAny() {
        return !running.isEmpty();
    }

    /** Stops watching an agent; false when it was not watched. */
    synchronized boolean stop(String name) {
        Running r = running.remove(name);
        if (r == null) {
            return false;
        }
        r.stream().stop();
        r.thread().interrupt();
        if (r.resource() != null) {
            try {
                r.resource().close();
            } catch (Exception e) {
                // it is going away anyway
            }
        }
        return true;
    }

    /** Waits until every stream has ended by itself (each agent refused it). */
    void joinAll() throws InterruptedException {
        for (Running r : List.copyOf(running.values())) {
            r.thread().join();
        }
    }

    @Override
    public void close() {
        for (String name : List.copyOf(running.keySet())) {
            stop(name);
        }
    }
}
