package dev.podnet.probe.procfs;

import dev.podnet.netns.Netns;
import dev.podnet.netns.NetnsReader;
import dev.podnet.netns.ProcFiles;
import dev.podnet.probe.MetricSink;
import dev.podnet.probe.Overhead;
import dev.podnet.probe.Probe;
import dev.podnet.probe.ProbeContext;
import dev.podnet.probe.ProbeInfo;
import dev.podnet.probe.ProbeSource;
import dev.podnet.procfs.ProcIoParser;
import dev.podnet.procfs.ProcIoParser.Field;
import dev.podnet.procfs.ProcText;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Read and write system calls and bytes of the processes in each namespace, from {@code /proc/<pid>/io},
 * summed. A sum over the processes that live now: when one exits, its share leaves the sum (a counter
 * reset to Prometheus' rate(), as with any restarted process). A process that exits mid-read is skipped.
 * By default the syscalls and the bytes they moved (rchar, wchar, syscr, syscw, sockets included);
 * {@code probeSettings.io.fields}, a regular expression over the kernel's names, adds the storage
 * counters (read_bytes, write_bytes, cancelled_write_bytes), see {@link FieldSelection}.
 */
public final class IoProbe implements Probe {
    private static final ProbeInfo INFO = new ProbeInfo("io", ProbeSource.PROCFS, Overhead.LOW, true, true, false,
            "Read/write syscalls and bytes of the processes in each namespace (/proc/<pid>/io)");
    private static final Field[] FIELDS = Field.values();
    private static final String[] NAMES = new String[FIELDS.length];
    private static final String[] HELP = new String[FIELDS.length];
    /** What a network view wants: storage traffic (read_bytes, write_bytes...) is another agent's subject. */
    static final String DEFAULT_FIELDS = "rchar|wchar|syscr|syscw";

    static {
        String[] what = {
            "Bytes the processes read by read-like syscalls, from any file or socket",
            "Bytes the processes wrote by write-like syscalls, to any file or socket",
            "Read-like syscalls of the processes",
            "Write-like syscalls of the processes",
            "Bytes the processes caused to be fetched from storage",
            "Bytes the processes caused to be sent to storage",
            "Bytes the processes caused not to be written after all (truncated dirty page cache)",
        };
        for (Field f : FIELDS) {
            // rchar and wchar count bytes; the contract wants the unit in the name
            String name = f.kernelName.endsWith("char") ? f.kernelName + "_bytes" : f.kernelName;
            NAMES[f.ordinal()] = "podnet_io_" + name + "_total";
            HELP[f.ordinal()] = what[f.ordinal()] + " in this network namespace (" + f.kernelName
                    + " in /proc/<pid>/io, summed over its processes).";
        }
    }

    private volatile Path procRoot = Path.of("/proc");
    private volatile boolean[] selected = selected(Map.of());

    @Override
    public ProbeInfo info() {
        return INFO;
    }

    @Override
    public void checkSettings(Map<String, Object> settings) {
        selected(settings);
    }

    @Override
    public void start(ProbeContext context) {
        procRoot = context.procRoot();
        selected = selected(context.settings());
    }

    /** Which fields the settings select, by {@link Field} ordinal. */
    private static boolean[] selected(Map<String, Object> settings) {
        FieldSelection selection = FieldSelection.of(INFO.name(), settings, DEFAULT_FIELDS);
        boolean[] fields = new boolean[FIELDS.length];
        for (Field f : FIELDS) {
            fields[f.ordinal()] = selection.selects(f.kernelName);
        }
        return fields;
    }

    @Override
    public void collectNamespace(Netns netns, NetnsReader reader, MetricSink out) throws IOException {
        long[] sums = new long[FIELDS.length];
        boolean[] seen = new boolean[FIELDS.length];
        int malformed = 0;
        boolean anyRead = false;
        boolean noAccounting = false;
        for (int pid : netns.pids()) {
            String file = procRoot + "/" + pid + "/io";
            byte[] bytes;
            try {
                bytes = ProcFiles.readOrNull(file);
            } catch (AccessDeniedException e) {
                throw new AccessDeniedException(file, null,
                        "permission denied: podnet needs root (or CAP_SYS_PTRACE) to read other processes' I/O counters");
            }
            if (bytes == null) {
                // exited, or a kernel built without CONFIG_TASK_IO_ACCOUNTING, which has no io files at all
                noAccounting |= Files.isDirectory(procRoot.resolve(Integer.toString(pid)));
                continue;
            }
            anyRead = true;
            ProcIoParser.ProcIo io = ProcIoParser.parse(ProcText.ascii(bytes));
            malformed += io.malformedLines();
            for (Field f : FIELDS) {
                long v = io.get(f);
                if (v != ProcIoParser.ABSENT) {
                    sums[f.ordinal()] += v;
                    seen[f.ordinal()] = true;
                }
            }
        }
        out.parseErrors(malformed);
        if (noAccounting && !anyRead) {
            return;
        }
        boolean[] exported = selected;
        for (Field f : FIELDS) {
            if (exported[f.ordinal()] && (seen[f.ordinal()] || !anyRead)) { // no process left: the sum is 0
                out.counter(NAMES[f.ordinal()], HELP[f.ordinal()], sums[f.ordinal()]);
            }
        }
    }
}
