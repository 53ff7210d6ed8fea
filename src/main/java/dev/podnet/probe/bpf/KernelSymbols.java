package dev.podnet.probe.bpf;

import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.function.LongSupplier;
import java.util.logging.Logger;

/**
 * Names kernel text addresses ({@code nf_hook_slow+0x8c}) from /proc/kallsyms. The table is read on the
 * first lookup, keeps only text symbols in compact arrays (about 5 MB for 120 000 symbols) and is bounded
 * to {@link #MAX_SYMBOLS}. An address it cannot place (kallsyms unreadable, addresses hidden by
 * kernel.kptr_restrict, which shows them all as 0, or a module loaded since) is {@link #UNKNOWN}; such a
 * miss rereads the table at most once a minute.
 */
final class KernelSymbols {
    static final String UNKNOWN = "unknown";
    static final int MAX_SYMBOLS = 2_000_000;
    /** Farther from a symbol than any kernel function is long: the address is past what the table knows. */
    static final long MAX_OFFSET = 1 << 20;
    private static final long REREAD_AFTER_NS = 60_000_000_000L;
    private static final Logger LOG = Logger.getLogger(KernelSymbols.class.getName());

    private final Path kallsyms;
    private final LongSupplier clock;
    private Table table;
    private long readAtNs;

    KernelSymbols(Path kallsyms) {
        this(kallsyms, System::nanoTime);
    }

    KernelSymbols(Path kallsyms, LongSupplier clock) {
        this.kallsyms = kallsyms;
        this.clock = clock;
    }

    /** "function+0xoffset", or {@link #UNKNOWN}. */
    synchronized String name(long address) {
        if (address == 0) {
            return UNKNOWN;
        }
        if (table == null) {
            read();
        }
        String name = table.name(address);
        if (name == null && clock.getAsLong() - readAtNs >= REREAD_AFTER_NS) {
            read();
            name = table.name(address);
        }
        return name == null ? UNKNOWN : name;
    }

    private void read() {
        readAtNs = clock.getAsLong();
        try {
            table = Table.read(kallsyms);
        } catch (IOException | RuntimeException e) {
            LOG.warning("kernel symbols unreadable (" + kallsyms + "): drop locations are \"unknown\": " + e);
            table = Table.EMPTY;
        }
    }

    int size() {
        return table == null ? 0 : table.addresses.length;
    }

    /** Text symbols sorted by address; names packed in one byte array. */
    private record Table(long[] addresses, int[] nameStarts, byte[] names) {
        static final Table EMPTY = new Table(new long[0], new int[] {0}, new byte[0]);

        static Table read(Path kallsyms) throws IOException {
            long[] addresses = new long[1 << 16];
            int[] starts = new int[(1 << 16) + 1];
            byte[] names = new byte[1 << 20];
            int count = 0;
            int used = 0;
            boolean sorted = true;
            try (BufferedReader in = Files.newBufferedReader(kallsyms, StandardCharsets.ISO_8859_1)) {
                for (String line; (line = in.readLine()) != null && count < MAX_SYMBOLS; ) {
                    int space = line.indexOf(' ');
                    if (space <= 0 || space + 3 >= line.length() || line.charAt(space + 2) != ' ') {
                        continue;
                    }
                    char type = line.charAt(space + 1);
                    if (type != 't' && type != 'T' && type != 'w' && type != 'W') {
                        continue;
                    }
                    long address = Long.parseUnsignedLong(line, 0, space, 16);
                    if (address == 0) {
                        continue; // hidden by kptr_restrict
                    }
                    int end = line.indexOf('\t', space + 3);
                    String name = line.substring(space + 3, end < 0 ? line.length() : end);
                    if (count == addresses.length) {
                        addresses = Arrays.copyOf(addresses, count * 2);
                        starts = Arrays.copyOf(starts, count * 2 + 1);
                    }
                    if (used + name.length() > names.length) {
                        names = Arrays.copyOf(names, Math.max(names.length * 2, used + name.length()));
                    }
                    sorted &= count == 0 || Long.compareUnsigned(addresses[count - 1], address) <= 0;
                    addresses[count] = address;
                    starts[count] = used;
                    for (int i = 0; i < name.length(); i++) {
                        names[used++] = (byte) name.charAt(i);
                    }
                    count++;
                }
            }
            starts[count] = used;
            Table table = new Table(Arrays.copyOf(addresses, count), Arrays.copyOf(starts, count + 1),
                    Arrays.copyOf(names, used));
            return sorted ? table : table.sortedCopy();
        }

        /** kallsyms lists the kernel in order, modules each in order; this covers any other file. */
        private Table sortedCopy() {
            Integer[] order = new Integer[addresses.length];
            for (int i = 0; i < order.length; i++) {
                order[i] = i;
            }
            Arrays.sort(order, (a, b) -> Long.compareUnsigned(addresses[a], addresses[b]));
            long[] sortedAddresses = new long[order.length];
            int[] sortedStarts = new int[order.length + 1];
            byte[] sortedNames = new byte[names.length];
            int used = 0;
            for (int i = 0; i < order.length; i++) {
                int from = nameStarts[order[i]];
                int length = nameStarts[order[i] + 1] - from;
                sortedAddresses[i] = addresses[order[i]];
                sortedStarts[i] = used;
                System.arraycopy(names, from, sortedNames, used, length);
                used += length;
            }
            sortedStarts[order.length] = used;
            return new Table(sortedAddresses, sortedStarts, sortedNames);
        }

        String name(long address) {
            int low = 0;
            int high = addresses.length - 1;
            int found = -1;
            while (low <= high) {
                int mid = (low + high) >>> 1;
                if (Long.compareUnsigned(addresses[mid], address) <= 0) {
                    found = mid;
                    low = mid + 1;
                } else {
                    high = mid - 1;
                }
            }
            if (found < 0) {
                return null;
            }
            long offset = address - addresses[found];
            if (offset >= MAX_OFFSET) {
                return null;
            }
            String name = new String(names, nameStarts[found], nameStarts[found + 1] - nameStarts[found],
                    StandardCharsets.ISO_8859_1);
            return name + "+0x" + Long.toHexString(offset);
        }
    }
}
