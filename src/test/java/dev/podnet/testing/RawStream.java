package dev.podnet.testing;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * An {@code /events} client on a bare socket, for what an HTTP client library hides: one that reads the
 * response head and then nothing (a stalled client, with a receive buffer as small as asked), and reads
 * the chunked body itself later.
 */
public final class RawStream implements AutoCloseable {
    private final Socket socket = new Socket();
    private final InputStream in;
    private final String statusLine;

    public RawStream(int port, String target, int receiveBuffer) throws IOException {
        if (receiveBuffer > 0) {
            socket.setReceiveBufferSize(receiveBuffer); // before connect, so the window is small from the start
        }
        socket.connect(new InetSocketAddress("127.0.0.1", port));
        socket.setSoTimeout(60_000); // a guard against a hang, not a timing
        socket.getOutputStream().write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        in = socket.getInputStream();
        statusLine = line();
        while (!line().isEmpty()) {
            // the rest of the head
        }
    }

    public String statusLine() {
        return statusLine;
    }

    /** The next piece of the chunked body, as text; null at its end. */
    public String nextChunk() throws IOException {
        int size = Integer.parseInt(line().strip(), 16);
        if (size == 0) {
            return null;
        }
        String chunk = new String(in.readNBytes(size), StandardCharsets.UTF_8);
        line();
        return chunk;
    }

    private String line() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int b;
        while ((b = in.read()) != '\n') {
            if (b < 0) {
                throw new IOException("connection closed");
            }
            bytes.write(b);
        }
        String line = bytes.toString(StandardCharsets.US_ASCII);
        return line.endsWith("\r") ? line.substring(0, line.length() - 1) : line;
    }

    @Override
    public void close() throws IOException {
        socket.close();
    }
}
