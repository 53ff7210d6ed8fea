package dev.podnet.traffic;

/**
 * Where each counter of traffic.bpf.c's {@code struct pod_traffic} (per namespace) and
 * {@code struct traffic_histograms} (per node, or per namespace) lies, as indexes of 64-bit words. The
 * kernel maps' value sizes are checked against {@link #WORDS} and {@link #HISTOGRAM_WORDS} at start, so a
 * change on one side only fails loudly instead of exporting wrong numbers.
 */
final class TrafficLayout {
    static final int DIRECTIONS = 2;
    static final int FAMILIES = 3;
    static final int PROTOCOLS = 4;
    static final int WINDOW_SCALE_SLOTS = 16;
    /** Window-scale slot of a SYN without the option. */
    static final int WINDOW_SCALE_NONE = 15;
    static final int SIZE_SLOTS = 20;
    static final int RTT_SLOTS = 32;

    private static final int BYTES = 0;
    private static final int PACKETS = BYTES + FAMILIES * PROTOCOLS;
    private static final int INTERNET_BYTES = PACKETS + FAMILIES * PROTOCOLS;
    private static final int INTERNET_PACKETS = INTERNET_BYTES + 2;
    private static final int TCP_RST = INTERNET_PACKETS + 2;
    private static final int TCP_ZERO_WINDOW = TCP_RST + 1;
    private static final int IPV4_DF = TCP_ZERO_WINDOW + 1;
    private static final int WINDOW_SCALE = IPV4_DF + 1;
    private static final int DIRECTION_WORDS = WINDOW_SCALE + WINDOW_SCALE_SLOTS;
    static final int WORDS = DIRECTIONS * DIRECTION_WORDS;

    private static final int SIZE_WORDS = SIZE_SLOTS + 1;
    private static final int PACKET_SIZE = 0;
    private static final int TCP_PAYLOAD = PACKET_SIZE + DIRECTIONS * SIZE_WORDS;
    private static final int RTT = TCP_PAYLOAD + DIRECTIONS * SIZE_WORDS;
    static final int HISTOGRAM_WORDS = RTT + RTT_SLOTS + 1;

    private TrafficLayout() {
    }

    static int bytes(int direction, int family, int protocol) {
        return direction * DIRECTION_WORDS + BYTES + family * PROTOCOLS + protocol;
    }

    static int packets(int direction, int family, int protocol) {
        return direction * DIRECTION_WORDS + PACKETS + family * PROTOCOLS + protocol;
    }

    static int internetBytes(int direction, int family) {
        return direction * DIRECTION_WORDS + INTERNET_BYTES + family;
    }

    static int internetPackets(int direction, int family) {
        return direction * DIRECTION_WORDS + INTERNET_PACKETS + family;
    }

    static int tcpRst(int direction) {
        return direction * DIRECTION_WORDS + TCP_RST;
    }

    static int tcpZeroWindow(int direction) {
        return direction * DIRECTION_WORDS + TCP_ZERO_WINDOW;
    }

    static int ipv4Df(int direction) {
        return direction * DIRECTION_WORDS + IPV4_DF;
    }

    static int windowScale(int direction, int slot) {
        return direction * DIRECTION_WORDS + WINDOW_SCALE + slot;
    }

    /** In the histograms: first of SIZE_SLOTS slots, then the sum. */
    static int packetSize(int direction) {
        return PACKET_SIZE + direction * SIZE_WORDS;
    }

    static int tcpPayload(int direction) {
        return TCP_PAYLOAD + direction * SIZE_WORDS;
    }

    /** In the histograms: first of RTT_SLOTS log2 slots in microseconds, then the sum. */
    static int rtt() {
        return RTT;
    }
}
