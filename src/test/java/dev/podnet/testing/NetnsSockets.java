package dev.podnet.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.time.Instant;

/** Sockets inside a {@link NetnsLab} namespace, for tests that send real traffic between namespaces. */
public final class NetnsSockets {
    private NetnsSockets() {
    }

    /** A TCP listener inside the namespace (its socket belongs there and keeps working from any thread). */
    public static ServerSocket listen(NetnsLab lab, String ns, String address, int port) throws IOException {
        return lab.inNetns(ns, () -> {
            ServerSocket server = new ServerSocket();
            server.setReuseAddress(true);
            server.bind(new InetSocketAddress(address, port));
            return server;
        });
    }

    /**
     * A TCP connection from inside the namespace. It must be made there: java.net.Socket creates its file
     * descriptor only when connecting, and the descriptor belongs to the namespace of that moment.
     */
    public static Socket connect(NetnsLab lab, String ns, String address, int port) throws IOException {
        return lab.inNetns(ns, () -> {
            Socket socket = new Socket();
            socket.connect(new InetSocketAddress(address, port), 30_000);
            return socket;
        });
    }

    /** Datagrams received on a channel within 30 s, up to {@code expected}. */
    public static int receive(DatagramChannel receiver, int expected) {
        int received = 0;
        ByteBuffer in = ByteBuffer.allocate(65536);
        Instant deadline = Instant.now().plus(Duration.ofSeconds(30));
        try {
            while (received < expected && Instant.now().isBefore(deadline)) {
                if (receiver.receive(in.clear()) != null) {
                    received++;
                } else {
                    Thread.sleep(1);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return received;
    }

    /**
     * Accepts every connection of {@code listener} and reads each to its end on a virtual thread, until the
     * listener is closed; runs in the calling thread.
     */
    public static void drainAll(ServerSocket listener) {
        while (!listener.isClosed()) {
            try {
                Socket accepted = listener.accept();
                Thread.ofVirtual().start(() -> {
                    try (Socket s = accepted; InputStream in = s.getInputStream()) {
                        in.transferTo(OutputStream.nullOutputStream());
                    } catch (IOException e) {
                        // the sending side reports failures
                    }
                });
            } catch (IOException e) {
                return; // closed
            }
        }
    }
}
