package dev.podnet.probe.procfs;

import static dev.podnet.testing.FakeProcfs.HOST_INODE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.testing.FakeProcfs;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.TestAgent;
import org.junit.jupiter.api.Test;

class IoProbeTest {
    private static final String POD = "4026532100";
    private static final String BROKEN = "4026532300";

    @Test
    void syscallsAndBytesSummedOverTheNamespacesProcesses() throws Exception {
        try (FakeProcfs proc = new FakeProcfs()) {
            proc.pid(1, HOST_INODE); // alive but without an io file: as on a kernel without task I/O accounting
            proc.pid(100, Long.parseLong(POD));
            proc.fixture("6.18/io", "100/io");
            proc.pid(101, Long.parseLong(POD));
            proc.write("101/io", "rchar: 24\nwchar: 1000\nsyscr: 2\nsyscw: 5\nread_bytes: 4096\nwrite_bytes: 8192\n"
                    + "cancelled_write_bytes: 0\n");
            proc.pid(300, Long.parseLong(BROKEN));
            proc.fixture("malformed/io", "300/io");

            try (TestAgent agent = TestAgent.start(proc.yaml("io"))) {
                Scrape s = agent.scrape();
                assertEquals(6976 + 24, s.value("podnet_io_rchar_bytes_total", "netns", POD));
                assertEquals(1000, s.value("podnet_io_wchar_bytes_total", "netns", POD));
                assertEquals(10 + 2, s.value("podnet_io_syscr_total", "netns", POD));
                assertEquals(5, s.value("podnet_io_syscw_total", "netns", POD));
                assertTrue(s.find("podnet_io_read_bytes_total").isEmpty(), "storage counters are not a default");
                assertTrue(s.find("podnet_io_cancelled_write_bytes_total").isEmpty());
                assertTrue(s.find("podnet_io_rchar_bytes_total", "netns", Long.toString(HOST_INODE)).isEmpty(),
                        "no io file for a live process: no accounting, no made-up zeros");
                assertEquals(100, s.value("podnet_io_rchar_bytes_total", "netns", BROKEN));
                assertTrue(s.find("podnet_io_syscr_total", "netns", BROKEN).isEmpty(), "its syscr line was broken");
                assertEquals(3, s.value("podnet_parse_errors_total", "probe", "io"));
                assertEquals(0, s.value("podnet_probe_errors_total", "probe", "io"));

                agent.rewriteConfig(proc.yaml("io") + "probeSettings: {io: {fields: \".*\"}}\n");
                Scrape all = agent.scrape();
                assertEquals(4096, all.value("podnet_io_read_bytes_total", "netns", POD));
                assertEquals(8192, all.value("podnet_io_write_bytes_total", "netns", POD));
                assertEquals(0, all.value("podnet_io_cancelled_write_bytes_total", "netns", POD));
                assertEquals(1000, all.value("podnet_io_wchar_bytes_total", "netns", POD));
                assertEquals(7, all.all().stream().filter(x -> x.name().startsWith("podnet_io_") && x.label("netns").equals(POD))
                        .count(), "every field with fields: .*");
            }
        }
    }
}
