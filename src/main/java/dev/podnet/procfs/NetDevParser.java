package dev.podnet.procfs;

import java.util.ArrayList;
import java.util.List;

/** Parses {@code /proc/net/dev}: two header lines, then {@code iface: 16 counters} per device. */
public final class NetDevParser {
    /** Column names in file order, as they become metric names ({@code podnet_netdev_<name>_total}). */
    public static final List<String> COLUMNS = List.of(
            "receive_bytes", "receive_packets", "receive_errs", "receive_drop", "receive_fifo", "receive_frame",
            "receive_compressed", "receive_multicast",
            "transmit_bytes", "transmit_packets", "transmit_errs", "transmit_drop", "transmit_fifo",
            "transmit_colls", "transmit_carrier", "transmit_compressed");

    private NetDevParser() {
    }

    /** Counters of one device, in {@link #COLUMNS} order. */
    public record Device(String name, long[] values) {
    }

    public record NetDev(List<Device> devices, int malformedLines) {
    }

    public static NetDev parse(String text) {
        List<Device> devices = new ArrayList<>();
        int malformed = 0;
        for (String line : ProcText.lines(text)) {
            int colon = line.indexOf(':');
            if (colon < 0) {
                if (!line.contains("|")) {
                    malformed++; // not one of the two header lines
                }
                continue;
            }
            String name = line.substring(0, colon).strip();
            String[] fields = ProcText.fields(line.substring(colon + 1));
            if (name.isEmpty() || fields.length != COLUMNS.size()) {
                malformed++;
                continue;
            }
            long[] values = new long[fields.length];
            try {
                for (int i = 0; i < fields.length; i++) {
                    values[i] = Long.parseUnsignedLong(fields[i]);
                }
            } catch (NumberFormatException e) {
                malformed++;
                continue;
            }
            devices.add(new Device(name, values));
        }
        return new NetDev(devices, malformed);
    }
}
