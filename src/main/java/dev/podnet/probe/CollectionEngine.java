package dev.podnet.probe;

import dev.podnet.config.Cidr;
import dev.podnet.netns.Netns;
import dev.podnet.netns.NetnsDiscovery;
import dev.podnet.netns.NetnsEnterer;
import dev.podnet.netns.NetnsReaders;
import dev.podnet.netns.NetnsVanishedException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Runs the configured probes for one collection: discovers the namespaces, runs every probe in parallel
 * (per-namespace probes spread over a small pool of platform threads), waits for each until the
 * deadline, and serves a late probe's previous samples. One failing probe or namespace never fails the
 * collection.
 */
public final class CollectionEngine implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(CollectionEngine.class.getName());

    private final Path procRoot;
    private final NetnsDiscovery discovery;
    private final NetnsEnterer enterer;
    private final ProbeCatalog catalog;
    private final ExecutorService workers;
    private final ExecutorService orchestrators = Executors.newVirtualThreadPerTaskExecutor();
    private final Map<String, ProbeRuntime> probes = new LinkedHashMap<>();
    private final AtomicLong vanished = new AtomicLong();
    private final int parallelism;
    private volatile Duration deadline = Duration.ofSeconds(3);
    private volatile NetnsLabeler labeler = NetnsLabeler.HOST_MODE;
    private volatile List<Cidr> internalNetworks = Cidr.DEFAULT_INTERNAL;
    private volatile EventEmitter events = EventEmitter.NONE;
    private volatile java.util.function.Consumer<List<Sample>> collectionListener = samples -> { };

    public CollectionEngine(Path procRoot, NetnsDiscovery discovery, NetnsEnterer enterer, ProbeCatalog catalog) {
        this.procRoot = procRoot;
        this.discovery = discovery;
        this.enterer = enterer;
        this.catalog = catalog;
        this.parallelism = Math.max(2, Runtime.getRuntime().availableProcessors());
        this.workers = Executors.newFixedThreadPool(parallelism,
                Thread.ofPlatform().name("podnet-collect-", 0).daemon(true).factory());
    }

    /**
     * Makes the running probes exactly {@code names}: starts the new ones (with their settings), closes
     * the ones no longer wanted, restarts those whose settings changed, leaves the rest running.
     */
    public synchronized void configure(List<String> names, Duration deadline, Map<String, Map<String, Object>> settings) {
        this.deadline = deadline;
        for (var it = probes.entrySet().iterator(); it.hasNext(); ) {
            var entry = it.next();
            boolean changed = !entry.getValue().settings.equals(settings.getOrDefault(entry.getKey(), Map.of()));
            if (!names.contains(entry.getKey()) || changed) {
                entry.getValue().probe.close();
                it.remove();
            }
        }
        for (String name : names) {
            if (!probes.containsKey(name)) {
                probes.put(name, start(name, settings.getOrDefault(name, Map.of())));
            }
        }
    }

    private ProbeRuntime start(String name, Map<String, Object> settings) {
        ProbeRuntime runtime = new ProbeRuntime(catalog.create(name), settings);
        try {
            runtime.probe.start(new ProbeContext(procRoot, enterer, settings, events));
            runtime.state = ProbeState.RUNNING;
        } catch (ProbeUnavailableException e) {
            runtime.state = ProbeState.UNAVAILABLE;
            runtime.reason = e.getMessage();
            LOG.warning(() -> "probe " + name + " unavailable: " + e.getMessage());
        } catch (RuntimeException | LinkageError e) {
            runtime.state = ProbeState.FAILED;
            runtime.reason = e.toString();
            LOG.log(Level.WARNING, "probe " + name + " failed to start", e);
        }
        return runtime;
    }

    /** Called with every collection's samples once it is complete (e.g. events from counter changes). */
    public void setCollectionListener(java.util.function.Consumer<List<Sample>> listener) {
        this.collectionListener = listener;
    }

    /** Where probes started from now on report their events. */
    public void setEvents(EventEmitter events) {
        this.events = events;
    }

    /** Networks that are not the internet, handed to node-wide probes from the next collection on. */
    public void setInternalNetworks(List<Cidr> networks) {
        this.internalNetworks = List.copyOf(networks);
    }

    public void setLabeler(NetnsLabeler labeler) {
        this.labeler = labeler;
    }

    public List<ProbeStatus> status() {
        List<ProbeStatus> result = new ArrayList<>();
        for (ProbeRuntime r : runtimes()) {
            result.add(r.status());
        }
        return result;
    }

    private synchronized List<ProbeRuntime> runtimes() {
        return List.copyOf(probes.values());
    }

    /**
     * Refreshes the attribution outside a collection (discovery, then the labeler's own refresh), for
     * events of a namespace that appeared since the last one.
     */
    public void refreshAttribution() {
        try {
            labeler.forCollection(discovery.scan());
        } catch (Exception e) {
            LOG.fine("refreshing the attribution failed: " + e);
        }
    }

    /** One full collection. Never throws for a probe's or a namespace's failure. */
    public Collection collect() {
        long start = System.nanoTime();
        List<Netns> namespaces;
        String discoveryError = null;
        try {
            namespaces = discovery.scan();
        } catch (Exception e) {
            namespaces = List.of();
            discoveryError = e.toString();
            LOG.warning("namespace discovery failed: " + e);
        }
        NetnsLabeler labels = this.labeler;
        try {
            labels = labels.forCollection(namespaces);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "attribution refresh failed; using the labeler as it is", e);
        }
        Attribution attribution = new Attribution(labels, namespaces);
        Netns host = namespaces.stream().filter(Netns::host).findFirst().orElse(null);
        List<FlowWatch> flowWatches;
        try {
            flowWatches = labels.flowWatches();
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "listing the flows tasks ask for failed", e);
            flowWatches = List.of();
        }
        NodeView view = new NodeView(procRoot, namespaces, host, enterer, internalNetworks, flowWatches);

        List<ProbeRuntime> running = new ArrayList<>();
        for (ProbeRuntime r : runtimes()) {
            if (r.state == ProbeState.RUNNING) {
                running.add(r);
                launch(r, namespaces, view, attribution);
            }
        }
        long deadlineNanos = start + deadline.toNanos();
        List<Sample> all = new ArrayList<>();
        for (ProbeRuntime r : running) {
            all.addAll(await(r, deadlineNanos));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        SampleBuffer self = attribution.nodeBuffer();
        SelfMetrics.write(self, runtimes(), namespaces, attribution, vanished.get(), seconds);
        try {
            labels.describe(self);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "describing the attribution failed", e);
        }
        all.addAll(self.samples());
        SampleBuffer derived = attribution.nodeBuffer();
        try {
            labels.derive(all, derived);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "deriving series from the collection failed", e);
        }
        all.addAll(derived.samples());
        try {
            collectionListener.accept(all);
        } catch (RuntimeException e) {
            LOG.log(Level.WARNING, "the collection listener failed", e);
        }
        return new Collection(all, namespaces, seconds, discoveryError);
    }

    private synchronized void launch(ProbeRuntime r, List<Netns> namespaces, NodeView view, Attribution attribution) {
        if (r.inFlight != null && !r.inFlight.isDone()) {
            return; // still busy with an earlier collection: it will serve its last samples
        }
        CompletableFuture<List<Sample>> future =
                CompletableFuture.supplyAsync(() -> runProbe(r, namespaces, view, attribution), orchestrators);
        future.whenComplete((samples, error) -> {
            if (samples != null) {
                r.lastSamples = samples;
            }
        });
        r.inFlight = future;
    }

    private List<Sample> await(ProbeRuntime r, long deadlineNanos) {
        CompletableFuture<List<Sample>> future;
        synchronized (this) {
            future = r.inFlight;
        }
        try {
            long wait = Math.max(0, deadlineNanos - System.nanoTime());
            return future.get(wait, TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            r.late.incrementAndGet();
            r.lastError = "missed the " + deadline.toMillis() + " ms deadline; serving the previous samples";
            return r.lastSamples;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return r.lastSamples;
        } catch (ExecutionException e) {
            r.errors.incrementAndGet();
            r.lastError = String.valueOf(e.getCause());
            return r.lastSamples;
        }
    }

    private List<Sample> runProbe(ProbeRuntime r, List<Netns> namespaces, NodeView view, Attribution attribution) {
        long start = System.nanoTime();
        List<Sample> samples = new ArrayList<>();
        int parseErrors = 0;
        if (r.info.perNamespace()) {
            List<Future<SampleBuffer>> parts = new ArrayList<>();
            int chunks = Math.min(namespaces.size(), parallelism * 4);
            for (int c = 0; c < chunks; c++) {
                List<Netns> chunk = slice(namespaces, c, chunks);
                parts.add(workers.submit(() -> collectChunk(r, chunk, attribution)));
            }
            for (Future<SampleBuffer> part : parts) {
                try {
                    SampleBuffer buffer = part.get();
                    samples.addAll(buffer.samples());
                    parseErrors += buffer.parseErrorCount();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                } catch (ExecutionException e) {
                    noteError(r, e.getCause());
                }
            }
        }
        if (r.info.nodeWide()) {
            SampleBuffer node = attribution.nodeBuffer();
            try {
                r.probe.collectNode(view, node);
            } catch (Exception | LinkageError e) {
                noteError(r, e);
            }
            samples.addAll(node.samples());
            parseErrors += node.parseErrorCount();
        }
        r.parseErrors.addAndGet(parseErrors);
        r.lastDurationSeconds = (System.nanoTime() - start) / 1e9;
        return samples;
    }

    private SampleBuffer collectChunk(ProbeRuntime r, List<Netns> chunk, Attribution attribution) {
        SampleBuffer buffer = attribution.nodeBuffer();
        for (Netns netns : chunk) {
            MetricSink sink = buffer.forNetns(netns.inode());
            try {
                r.probe.collectNamespace(netns, NetnsReaders.forNetns(procRoot, netns, enterer), sink);
            } catch (NetnsVanishedException e) {
                if (attribution.markVanished(netns.inode())) {
                    vanished.incrementAndGet();
                }
            } catch (Exception | LinkageError e) {
                noteError(r, e);
            }
        }
        return buffer;
    }

    private static void noteError(ProbeRuntime r, Throwable e) {
        r.errors.incrementAndGet();
        r.lastError = String.valueOf(e);
        LOG.log(Level.FINE, "probe " + r.info.name() + " error", e);
    }

    private static <T> List<T> slice(List<T> list, int part, int parts) {
        int from = (int) ((long) list.size() * part / parts);
        int to = (int) ((long) list.size() * (part + 1) / parts);
        return list.subList(from, to);
    }

    public long vanishedTotal() {
        return vanished.get();
    }

    @Override
    public synchronized void close() {
        for (ProbeRuntime r : probes.values()) {
            r.probe.close();
        }
        probes.clear();
        workers.shutdownNow();
        orchestrators.shutdownNow();
    }

    /** The result of one collection. */
    public record Collection(List<Sample> samples, List<Netns> namespaces, double durationSeconds,
                             String discoveryError) {
    }

    /** Attribution labels of this collection's namespaces, computed once per namespace. */
    static final class Attribution {
        private final String[] baseNames;
        private final Map<Long, String[]> values = new HashMap<>();
        private final NetnsLabeler labeler;
        private final Set<Long> vanishedThisRound = ConcurrentHashMap.newKeySet();

        Attribution(NetnsLabeler labeler, List<Netns> namespaces) {
            this.labeler = labeler;
            List<String> names = new ArrayList<>();
            names.add("netns");
            names.addAll(labeler.labelNames());
            this.baseNames = names.toArray(String[]::new);
            for (Netns netns : namespaces) {
                values.put(netns.inode(), valuesFor(netns.inode()));
            }
        }

        private String[] valuesFor(long inode) {
            String[] rest = labeler.labelValues(inode);
            String[] all = new String[rest.length + 1];
            all[0] = Long.toString(inode);
            System.arraycopy(rest, 0, all, 1, rest.length);
            return all;
        }

        String[] baseValues(long inode) {
            String[] known = values.get(inode);
            return known != null ? known : valuesFor(inode);
        }

        SampleBuffer nodeBuffer() {
            return new SampleBuffer(baseNames, this::baseValues);
        }

        boolean markVanished(long inode) {
            return vanishedThisRound.add(inode);
        }
    }
}
