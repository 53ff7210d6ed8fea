package dev.podnet.netlink;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.function.Consumer;

/** Netlink bytes laid out as the kernel lays them out, and the datagrams recorded from a real kernel. */
final class Fixtures {
    private Fixtures() {
    }

    /** A little-endian struct of {@code size} bytes, filled by {@code fill}. */
    static byte[] struct(int size, Consumer<ByteBuffer> fill) {
        ByteBuffer b = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        fill.accept(b);
        return b.array();
    }

    /** An nlmsghdr with {@code payload}, padded to NLMSG_ALIGN; the length field counts the unpadded size. */
    static byte[] message(int type, int flags, int seq, byte[] payload) {
        int length = 16 + payload.length;
        return struct((length + 3) & ~3, b -> b.putInt(length).putShort((short) type).putShort((short) flags)
                .putInt(seq).putInt(4242).put(payload));
    }

    /** An rtattr with {@code payload}, padded to RTA_ALIGN. */
    static byte[] attr(int type, byte[] payload) {
        int length = 4 + payload.length;
        return struct((length + 3) & ~3, b -> b.putShort((short) length).putShort((short) type).put(payload));
    }

    static byte[] cString(String s) {
        byte[] text = s.getBytes(StandardCharsets.UTF_8);
        byte[] out = new byte[text.length + 1];
        System.arraycopy(text, 0, out, 0, text.length);
        return out;
    }

    static byte[] concat(byte[]... parts) {
        int size = 0;
        for (byte[] p : parts) {
            size += p.length;
        }
        byte[] out = new byte[size];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }

    static MemorySegment segment(byte[] bytes) {
        return MemorySegment.ofArray(bytes);
    }

    /** The datagrams of a recorded dump (src/test/resources/netlink), one hex line each; # lines are comments. */
    static List<byte[]> recorded(String name) {
        try (InputStream in = Fixtures.class.getResourceAsStream("/netlink/" + name)) {
            if (in == null) {
                throw new IllegalArgumentException("no fixture " + name);
            }
            List<byte[]> datagrams = new ArrayList<>();
            for (String line : new String(in.readAllBytes(), StandardCharsets.US_ASCII).split("\n")) {
                if (!line.isBlank() && !line.startsWith("#")) {
                    datagrams.add(HexFormat.of().parseHex(line.strip()));
                }
            }
            return datagrams;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Walks every recorded datagram of a dump with sequence number 1; fails unless the last one ends it. */
    static void walkRecorded(String name, NetlinkMessages.DumpKind kind, NetlinkMessages.Handler handler)
            throws IOException {
        List<byte[]> datagrams = recorded(name);
        for (int i = 0; i < datagrams.size(); i++) {
            boolean done = NetlinkMessages.walk(segment(datagrams.get(i)), kind, 1, handler);
            if (done != (i == datagrams.size() - 1)) {
                throw new AssertionError(name + ": datagram " + i + " of " + datagrams.size() + " done=" + done);
            }
        }
    }
}
