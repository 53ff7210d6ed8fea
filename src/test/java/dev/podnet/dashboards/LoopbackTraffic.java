package dev.podnet.dashboards;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

/**
 * A little real traffic on loopback, so that metrics which only exist after an event (connections opened,
 * resets, connection failures, packets to closed ports, drops) have series when the agent is scraped.
 */
final class LoopbackTraffic {
    private LoopbackTraffic() {
    }

    static void generate() throws IOException, InterruptedException {
        InetAddress lo = InetAddress.getLoopbackAddress();
        // A connection that carries data both ways and closes cleanly.
        try (ServerSocket server = new ServerSocket(0, 8, lo)) {
            Thread echo = Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept(); InputStream in = s.getInputStream(); OutputStream out = s.getOutputStream()) {
                    in.transferTo(out);
                } catch (IOException e) {
                    // the client's side reports failures
                }
            });
            try (Socket client = new Socket(lo, server.getLocalPort())) {
                client.getOutputStream().write(new byte[64 * 1024]);
                client.shutdownOutput();
                client.getInputStream().readAllBytes();
            }
            echo.join();
        }
        int closed = freePort();
        // A refused connection: the kernel answers the SYN with a reset.
        try (Socket refused = new Socket()) {
            refused.connect(new InetSocketAddress(lo, closed), 2000);
            throw new IllegalStateException("port " + closed + " was expected to be closed");
        } catch (ConnectException expected) {
            // refused, as intended
        }
        // A datagram to a closed port: counted as NoPorts and dropped with a reason.
        try (DatagramSocket udp = new DatagramSocket(0, lo)) {
            udp.send(new DatagramPacket(new byte[32], 32, lo, closed));
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
