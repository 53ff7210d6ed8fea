package dev.podnet.dashboards;

import dev.podnet.testing.NetnsLab;
import dev.podnet.testing.NetnsSockets;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The events the dashboards show, between the pods of a {@link PodLab}, in rounds repeated in the
 * background (so rates over the last half minute are not zero while Prometheus evaluates them). Each
 * round, web:
 * <ul>
 *   <li>sends 256 KiB to db over a new connection through db's lossy nftables rule: connections opened
 *       (active in web, passive in db) and closed (lifetimes, TIME-WAIT), retransmits in web, packet drops
 *       in db, bytes through web's token bucket;</li>
 *   <li>connects to a closed port of db: a reset sent by db and received by web, a failed connect;</li>
 *   <li>sends UDP datagrams to db: delivered, dropped by nftables, and to a closed port (NoPorts).</li>
 * </ul>
 * One connection stays open throughout, so there are established sockets. A round that fails stops the
 * rounds; {@link #awaitRounds} reports it.
 */
final class PodTraffic implements AutoCloseable {
    private static final int BULK_BYTES = 256 * 1024;
    private static final int DATAGRAMS = 5;

    private final NetnsLab lab;
    private final PodLab.TestPod web;
    private final PodLab.TestPod db;
    private final ServerSocket sink;
    private final DatagramChannel udpIn;
    private final DatagramChannel udpOut;
    private final AtomicInteger rounds = new AtomicInteger();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private final Thread acceptor;
    private final Thread loop;
    private Socket held;
    private volatile boolean running = true;

    private PodTraffic(PodLab pods, ServerSocket sink, DatagramChannel udpIn, DatagramChannel udpOut) {
        lab = pods.lab();
        web = pods.web();
        db = pods.db();
        this.sink = sink;
        this.udpIn = udpIn;
        this.udpOut = udpOut;
        acceptor = Thread.ofPlatform().name("podnet-e2e-sink").daemon().start(this::acceptAndDrain);
        loop = Thread.ofPlatform().name("podnet-e2e-traffic").daemon().start(this::runRounds);
    }

    /** Opens db's listener and the UDP sockets, and starts the rounds in the background. */
    static PodTraffic start(PodLab pods) throws IOException {
        NetnsLab lab = pods.lab();
        PodLab.TestPod db = pods.db();
        ServerSocket sink = NetnsSockets.listen(lab, db.ns(), db.ip(), PodLab.LOSSY_PORT);
        DatagramChannel udpIn = null;
        try {
            udpIn = lab.inNetns(db.ns(), () -> DatagramChannel.open().bind(new InetSocketAddress(db.ip(), PodLab.UDP_PORT)));
            udpIn.configureBlocking(false);
            return new PodTraffic(pods, sink, udpIn, lab.inNetns(pods.web().ns(), DatagramChannel::open));
        } catch (IOException | RuntimeException e) {
            sink.close();
            if (udpIn != null) {
                udpIn.close();
            }
            throw e;
        }
    }

    /** Waits until {@code n} rounds have completed; throws what made a round fail. */
    void awaitRounds(int n) throws InterruptedException {
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (rounds.get() < n) {
            checkHealthy();
            if (System.nanoTime() > deadline) {
                throw new AssertionError("only " + rounds.get() + " traffic rounds of " + n + " in 120 s");
            }
            Thread.sleep(100);
        }
    }

    /** Throws what made a round fail, if one did. */
    void checkHealthy() {
        Throwable t = failure.get();
        if (t != null) {
            throw new AssertionError("traffic between the test pods failed after " + rounds.get() + " rounds: " + t, t);
        }
    }

    int rounds() {
        return rounds.get();
    }

    private void runRounds() {
        try {
            held = NetnsSockets.connect(lab, web.ns(), db.ip(), PodLab.LOSSY_PORT);
            while (running) {
                round();
                rounds.incrementAndGet();
                Thread.sleep(1000);
            }
        } catch (InterruptedException e) {
            // closing
        } catch (Throwable t) {
            if (running) {
                failure.set(t);
            }
        }
    }

    private void round() throws IOException {
        try (Socket bulk = NetnsSockets.connect(lab, web.ns(), db.ip(), PodLab.LOSSY_PORT);
             OutputStream out = bulk.getOutputStream()) {
            out.write(new byte[BULK_BYTES]);
        }
        try (Socket refused = NetnsSockets.connect(lab, web.ns(), db.ip(), PodLab.CLOSED_PORT)) {
            throw new IllegalStateException("port " + PodLab.CLOSED_PORT + " of db accepted a connection: " + refused);
        } catch (ConnectException expected) {
            // reset by db's kernel, as intended
        }
        ByteBuffer datagram = ByteBuffer.allocate(100);
        for (int port : new int[] {PodLab.UDP_PORT, PodLab.UDP_DROPPED_PORT, PodLab.UDP_CLOSED_PORT}) {
            for (int i = 0; i < DATAGRAMS; i++) {
                udpOut.send(datagram.clear(), new InetSocketAddress(db.ip(), port));
            }
        }
        // read what has arrived so the socket's queue never fills; stragglers are read next round
        while (udpIn.receive(datagram.clear()) != null) {
            // discard
        }
    }

    /** Accepts db's side of every connection and reads it to its end, each on a virtual thread. */
    private void acceptAndDrain() {
        NetnsSockets.drainAll(sink);
    }

    @Override
    public void close() throws Exception {
        running = false;
        loop.interrupt();
        loop.join(60_000);
        if (held != null) {
            held.close();
        }
        sink.close();
        acceptor.join(10_000);
        udpIn.close();
        udpOut.close();
    }
}
