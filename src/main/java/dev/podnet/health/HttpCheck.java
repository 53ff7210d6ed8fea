package dev.podnet.health;

import java.io.IOException;
import java.io.InputStream;
import java.net.Inet6Address;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.net.StandardProtocolFamily;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;

/**
 * An HTTP GET to the pod. Healthy once the TCP connection is made, whatever the status code: the check
 * asks whether the pod's server is there, not whether it is happy (readiness probes answer that). The
 * request is still sent, and the status line awaited until the deadline, so the server sees a real
 * request rather than a connection that closes unexplained.
 *
 * <p>A {@link SocketChannel} rather than a {@link Socket}: a channel has its descriptor from the moment it
 * is opened (so it can be opened in another namespace and connected from here), and closing the checker
 * interrupts the checking thread, which closes the channel at once.
 */
final class HttpCheck {
    private static final int STATUS_LINE_MAX = 512;

    private HttpCheck() {
    }

    static CheckOutcome run(HealthTarget target, CheckRun run) throws IOException {
        if (target.port() < 1 || target.port() > 65535) {
            return CheckOutcome.error("CURL needs a TCP port from 1 to 65535, not " + target.port());
        }
        String path = requestPath(target.path());
        if (path == null) {
            return CheckOutcome.error("path " + target.path() + " has characters an HTTP request line cannot carry");
        }
        boolean v6 = target.address() instanceof Inet6Address;
        SocketChannel channel = run.origin().open(() -> SocketChannel.open(v6 ? StandardProtocolFamily.INET6
                : StandardProtocolFamily.INET));
        try (channel) {
            Socket socket = channel.socket();
            int millis = run.millisLeft();
            if (millis <= 0) {
                return CheckOutcome.noAnswer("no time left to connect to " + hostPort(target));
            }
            long start = System.nanoTime();
            try {
                socket.connect(new InetSocketAddress(target.address(), target.port()), millis);
            } catch (SocketTimeoutException e) {
                return CheckOutcome.noAnswer("no TCP connection to " + hostPort(target) + " in time");
            } catch (SocketException e) {
                return CheckOutcome.noAnswer("connection to " + hostPort(target) + " failed: " + e.getMessage());
            }
            CheckOutcome healthy = CheckOutcome.healthy(start);
            try {
                socket.getOutputStream().write(request(target, path).getBytes(StandardCharsets.US_ASCII));
                int left = run.millisLeft();
                if (left > 0) {
                    socket.setSoTimeout(left);
                    readStatusLine(socket.getInputStream());
                }
            } catch (IOException e) {
                // connected is healthy; a server that resets or stays silent afterwards does not change that
            }
            return healthy;
        }
    }

    /** The path as the request line carries it: "/" when empty, a leading "/" added, null if it has spaces or controls. */
    static String requestPath(String path) {
        String p = path == null || path.isEmpty() ? "/" : path.startsWith("/") ? path : "/" + path;
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c <= ' ' || c >= 0x7f) {
                return null;
            }
        }
        return p;
    }

    static String request(HealthTarget target, String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: " + hostPort(target) + "\r\nUser-Agent: podnet-health\r\n"
                + "Accept: */*\r\nConnection: close\r\n\r\n";
    }

    /** host:port, with an IPv6 address in brackets and without a zone (it means nothing to the server). */
    static String hostPort(HealthTarget target) {
        String ip = Addresses.literal(target.address());
        return (target.address() instanceof Inet6Address ? "[" + ip + "]" : ip) + ":" + target.port();
    }

    /** Reads until the end of the first line (or {@value #STATUS_LINE_MAX} bytes, or the server closes). */
    private static void readStatusLine(InputStream in) throws IOException {
        byte[] buffer = new byte[STATUS_LINE_MAX];
        int filled = 0;
        while (filled < buffer.length) {
            int n = in.read(buffer, filled, buffer.length - filled);
            if (n < 0) {
                return;
            }
            for (int i = filled; i < filled + n; i++) {
                if (buffer[i] == '\n') {
                    return;
                }
            }
            filled += n;
        }
    }
}
