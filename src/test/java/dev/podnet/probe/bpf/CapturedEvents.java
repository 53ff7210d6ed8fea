package dev.podnet.probe.bpf;

import dev.podnet.probe.EventEmitter;
import dev.podnet.probe.ProbeEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;

/** An {@link EventEmitter} for tests: keeps every event (up to a bound) and the losses reported. */
final class CapturedEvents implements EventEmitter {
    private static final int MAX_KEPT = 100_000;
    private final Set<String> wanted;
    private final List<ProbeEvent> events = new ArrayList<>();
    private final AtomicLong lost = new AtomicLong();
    private final AtomicLong emitted = new AtomicLong();

    /** Wants the given types; every type when none are given. */
    CapturedEvents(String... wanted) {
        this.wanted = Set.of(wanted);
    }

    @Override
    public boolean wants(String type) {
        return wanted.isEmpty() || wanted.contains(type);
    }

    @Override
    public synchronized void emit(ProbeEvent event) {
        emitted.incrementAndGet();
        if (events.size() < MAX_KEPT) {
            events.add(event);
        }
    }

    @Override
    public void lost(String probe, long count) {
        lost.addAndGet(count);
    }

    synchronized List<ProbeEvent> all() {
        return List.copyOf(events);
    }

    long lost() {
        return lost.get();
    }

    long emitted() {
        return emitted.get();
    }

    /** The events matching, once there are at least {@code count} of them (waits at most 20 s for the reader). */
    List<ProbeEvent> await(Predicate<ProbeEvent> matching, int count, String what) throws InterruptedException {
        Instant deadline = Instant.now().plus(Duration.ofSeconds(20));
        while (true) {
            List<ProbeEvent> found = all().stream().filter(matching).toList();
            if (found.size() >= count) {
                return found;
            }
            if (Instant.now().isAfter(deadline)) {
                throw new AssertionError("expected " + count + " " + what + ", got " + found.size() + "; all events:\n"
                        + String.join("\n", all().stream().map(Object::toString).toList()));
            }
            Thread.sleep(20);
        }
    }

    /** Events of one type in one namespace. */
    static Predicate<ProbeEvent> of(String type, long netns) {
        return e -> e.type().equals(type) && e.netns() == netns;
    }
}
