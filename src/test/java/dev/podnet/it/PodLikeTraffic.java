package dev.podnet.it;

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
import java.util.ArrayList;
import java.util.List;

/**
 * Ordinary traffic of a pod with a peer, for counting what it costs in series. Each round, the pod:
 * <ul>
 *   <li>connects to the peer, sends 64 KiB and closes (an active open, a lifetime, TIME-WAIT);</li>
 *   <li>accepts a connection from the peer, which sends 64 KiB and closes (a passive open);</li>
 *   <li>connects to a closed port of the peer (a reset received, a failed connect);</li>
 *   <li>sends UDP datagrams to the peer and to a closed port of it (an ICMP port unreachable back), and
 *       receives datagrams from the peer on an open port and on one its nftables drops.</li>
 * </ul>
 * One connection from the pod to the peer stays open throughout.
 */
final class PodLikeTraffic implements AutoCloseable {
    static final int POD_TCP_PORT = 5401;
    static final int POD_UDP_PORT = 5402;
    static final int POD_UDP_DROPPED_PORT = 5403;
    static final int PEER_TCP_PORT = 5411;
    static final int PEER_UDP_PORT = 5412;
    static final int PEER_CLOSED_PORT = 5419;
    private static final int BYTES = 64 * 1024;
    private static final int DATAGRAMS = 5;

    private final NetnsLab lab;
    private final String pod;
    private final String podIp;
    private final String peer;
    private final String peerIp;
    private final List<AutoCloseable> open = new ArrayList<>();
    private final DatagramChannel podUdp;
    private final DatagramChannel peerUdp;

    private PodLikeTraffic(NetnsLab lab, String pod, String podIp, String peer, String peerIp) throws IOException {
        this.lab = lab;
        this.pod = pod;
        this.podIp = podIp;
        this.peer = peer;
        this.peerIp = peerIp;
        drain(keep(NetnsSockets.listen(lab, pod, podIp, POD_TCP_PORT)));
        drain(keep(NetnsSockets.listen(lab, peer, peerIp, PEER_TCP_PORT)));
        podUdp = keep(lab.inNetns(pod, () -> DatagramChannel.open().bind(new InetSocketAddress(podIp, POD_UDP_PORT))));
        peerUdp = keep(lab.inNetns(peer, () -> DatagramChannel.open().bind(new InetSocketAddress(peerIp, PEER_UDP_PORT))));
        podUdp.configureBlocking(false);
        peerUdp.configureBlocking(false);
        keep(NetnsSockets.connect(lab, pod, peerIp, PEER_TCP_PORT));
    }

    static PodLikeTraffic start(NetnsLab lab, String pod, String podIp, String peer, String peerIp) throws IOException {
        return new PodLikeTraffic(lab, pod, podIp, peer, peerIp);
    }

    /** Runs {@code n} rounds, {@code pauseMillis} apart. */
    void rounds(int n, long pauseMillis) throws IOException, InterruptedException {
        for (int i = 0; i < n; i++) {
            round();
            Thread.sleep(pauseMillis);
        }
    }

    private void round() throws IOException {
        send(NetnsSockets.connect(lab, pod, peerIp, PEER_TCP_PORT));
        send(NetnsSockets.connect(lab, peer, podIp, POD_TCP_PORT));
        try (Socket refused = NetnsSockets.connect(lab, pod, peerIp, PEER_CLOSED_PORT)) {
            throw new IllegalStateException("port " + PEER_CLOSED_PORT + " of the peer accepted a connection: " + refused);
        } catch (ConnectException expected) {
            // reset by the peer's kernel
        }
        ByteBuffer datagram = ByteBuffer.allocate(200);
        for (int i = 0; i < DATAGRAMS; i++) {
            podUdp.send(datagram.clear(), new InetSocketAddress(peerIp, PEER_UDP_PORT));
            podUdp.send(datagram.clear(), new InetSocketAddress(peerIp, PEER_CLOSED_PORT));
            peerUdp.send(datagram.clear(), new InetSocketAddress(podIp, POD_UDP_PORT));
            peerUdp.send(datagram.clear(), new InetSocketAddress(podIp, POD_UDP_DROPPED_PORT));
        }
        for (DatagramChannel channel : List.of(podUdp, peerUdp)) {
            while (channel.receive(datagram.clear()) != null) {
                // read what has arrived so no queue fills; stragglers are read next round
            }
        }
    }

    private static void send(Socket socket) throws IOException {
        try (Socket s = socket; OutputStream out = s.getOutputStream()) {
            out.write(new byte[BYTES]);
        }
    }

    private <T extends AutoCloseable> T keep(T resource) {
        open.add(resource);
        return resource;
    }

    /** Accepts every connection and reads it to its end, each on a virtual thread. */
    private static void drain(ServerSocket listener) {
        Thread.ofPlatform().daemon().name("podnet-budget-accept").start(() -> NetnsSockets.drainAll(listener));
    }

    @Override
    public void close() throws Exception {
        for (AutoCloseable c : open.reversed()) {
            c.close();
        }
    }
}
