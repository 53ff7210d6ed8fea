package dev.podnet.netlink;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Pure framing of netlink messages: builds dump requests and walks the datagrams of a dump, one
 * {@code nlmsghdr} after the other (NLMSG_ALIGN apart), ending at NLMSG_DONE and turning NLMSG_ERROR
 * into an exception with the kernel's errno. No I/O, so it is tested on byte arrays.
 */
public final class NetlinkMessages {
    public static final int HEADER_BYTES = 16;
    static final int NLMSG_NOOP = 1;
    static final int NLMSG_ERROR = 2;
    static final int NLMSG_DONE = 3;
    static final int NLMSG_OVERRUN = 4;
    static final int NLM_F_REQUEST = 0x1;
    static final int NLM_F_MULTI = 0x2;
    static final int NLM_F_DUMP = 0x300;

    private NetlinkMessages() {
    }

    /** One kind of dump: the request we send and the message type the kernel answers with, named for errors. */
    public record DumpKind(int requestType, String requestName, int replyType, String replyName) {
    }

    /** Receives the payload (after the header) of each answer of the expected type. */
    @FunctionalInterface
    public interface Handler {
        void message(MemorySegment payload) throws IOException;
    }

    /** A complete dump request: header (NLM_F_REQUEST | NLM_F_DUMP, sequence {@code seq}) and payload. */
    public static byte[] dumpRequest(DumpKind kind, int seq, byte[] payload) {
        return request(kind, NLM_F_REQUEST | NLM_F_DUMP, seq, payload);
    }

    /** A request for one object (no NLM_F_DUMP), e.g. the route to one address: the kernel sends one answer. */
    public static byte[] singleRequest(DumpKind kind, int seq, byte[] payload) {
        return request(kind, NLM_F_REQUEST, seq, payload);
    }

    private static byte[] request(DumpKind kind, int flags, int seq, byte[] payload) {
        int length = HEADER_BYTES + payload.length;
        ByteBuffer b = ByteBuffer.allocate((int) NetlinkBytes.align(length)).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(length).putShort((short) kind.requestType()).putShort((short) flags)
                .putInt(seq).putInt(0).put(payload);
        return b.array();
    }

    /**
     * Walks one datagram of a dump answer, passing each message of the reply type to {@code handler}.
     *
     * @return true when the dump is complete (NLMSG_DONE, or a reply that is not part of a multi-part answer)
     * @throws NetlinkException          when the kernel answered with an error
     * @throws MalformedNetlinkException when a message is cut short or of a type this dump cannot contain
     */
    public static boolean walk(MemorySegment datagram, DumpKind kind, int seq, Handler handler) throws IOException {
        long size = datagram.byteSize();
        long offset = 0;
        boolean done = false;
        while (offset < size) {
            long left = size - offset;
            if (left < HEADER_BYTES) {
                throw new MalformedNetlinkException("truncated netlink header in " + kind.requestName() + " dump: "
                        + left + " bytes left, a header needs " + HEADER_BYTES);
            }
            long length = NetlinkBytes.u32(datagram, offset);
            int type = NetlinkBytes.u16(datagram, offset + 4);
            int flags = NetlinkBytes.u16(datagram, offset + 6);
            long messageSeq = NetlinkBytes.u32(datagram, offset + 8);
            if (length < HEADER_BYTES || length > left) {
                throw new MalformedNetlinkException("truncated " + typeName(type, kind) + " message in "
                        + kind.requestName() + " dump: its header says " + length + " bytes, " + left + " are there");
            }
            MemorySegment payload = datagram.asSlice(offset + HEADER_BYTES, length - HEADER_BYTES);
            offset += NetlinkBytes.align(length);
            if (messageSeq != Integer.toUnsignedLong(seq)) {
                continue; // an answer to an earlier request on this socket, not ours to read
            }
            switch (type) {
                case NLMSG_NOOP -> { }
                case NLMSG_ERROR -> {
                    int error = errorCode(payload, "NLMSG_ERROR", kind);
                    if (error != 0) {
                        throw new NetlinkException(kind.requestName() + " dump", "NLMSG_ERROR", -error);
                    }
                    return true; // an acknowledgement ends the exchange
                }
                case NLMSG_DONE -> {
                    // The kernel puts the dump's final status here; a negative one means the dump was cut short.
                    int error = payload.byteSize() >= 4 ? NetlinkBytes.s32(payload, 0) : 0;
                    if (error < 0) {
                        throw new NetlinkException(kind.requestName() + " dump", "NLMSG_DONE", -error);
                    }
                    return true;
                }
                case NLMSG_OVERRUN -> throw new MalformedNetlinkException(kind.requestName()
                        + " dump: kernel reported NLMSG_OVERRUN, data was lost");
                default -> {
                    if (type != kind.replyType()) {
                        throw new MalformedNetlinkException("unexpected netlink message type " + type + " in "
                                + kind.requestName() + " dump, expected " + kind.replyName());
                    }
                    handler.message(payload);
                    done = (flags & NLM_F_MULTI) == 0;
                }
            }
        }
        return done;
    }

    private static int errorCode(MemorySegment payload, String name, DumpKind kind) throws MalformedNetlinkException {
        if (payload.byteSize() < 4) {
            throw new MalformedNetlinkException("truncated " + name + " message in " + kind.requestName()
                    + " dump: " + payload.byteSize() + " bytes, the error code needs 4");
        }
        return NetlinkBytes.s32(payload, 0);
    }

    private static String typeName(int type, DumpKind kind) {
        return switch (type) {
            case NLMSG_NOOP -> "NLMSG_NOOP";
            case NLMSG_ERROR -> "NLMSG_ERROR";
            case NLMSG_DONE -> "NLMSG_DONE";
            case NLMSG_OVERRUN -> "NLMSG_OVERRUN";
            default -> type == kind.replyType() ? kind.replyName() : "type " + type;
        };
    }
}
