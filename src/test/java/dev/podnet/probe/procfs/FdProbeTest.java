package dev.podnet.probe.procfs;

import static dev.podnet.testing.FakeProcfs.HOST_INODE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.podnet.testing.FakeProcfs;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.TestAgent;
import org.junit.jupiter.api.Test;

class FdProbeTest {
    private static final String POD = "4026532100";

    @Test
    void descriptorsAndSocketsSummedOverTheNamespacesProcesses() throws Exception {
        try (FakeProcfs proc = new FakeProcfs()) {
            proc.pid(1, HOST_INODE);
            proc.link("1/fd/0", "/dev/null");
            proc.pid(100, Long.parseLong(POD));
            proc.link("100/fd/0", "/dev/null");
            proc.link("100/fd/1", "pipe:[123]");
            proc.link("100/fd/3", "socket:[4455]");
            proc.link("100/fd/4", "socket:[4456]");
            proc.pid(101, Long.parseLong(POD));
            proc.link("101/fd/0", "/dev/pts/0");
            proc.link("101/fd/5", "socket:[9]");
            proc.link("101/fd/6", "anon_inode:[eventpoll]");
            proc.pid(102, Long.parseLong(POD)); // no fd directory: exited after discovery

            try (TestAgent agent = TestAgent.start(proc.yaml("fd"))) {
                Scrape s = agent.scrape();
                assertEquals(7, s.value("podnet_fd_open", "netns", POD));
                assertEquals(3, s.value("podnet_fd_sockets", "netns", POD));
                assertEquals(1, s.value("podnet_fd_open", "netns", Long.toString(HOST_INODE)));
                assertEquals(0, s.value("podnet_fd_sockets", "netns", Long.toString(HOST_INODE)));
                assertEquals(0, s.value("podnet_probe_errors_total", "probe", "fd"));
            }
        }
    }
}
