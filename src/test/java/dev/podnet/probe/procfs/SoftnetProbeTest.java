package dev.podnet.probe.procfs;

import static dev.podnet.testing.FakeProcfs.HOST_INODE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.podnet.testing.FakeProcfs;
import dev.podnet.testing.Scrape;
import dev.podnet.testing.TestAgent;
import org.junit.jupiter.api.Test;

class SoftnetProbeTest {

    @Test
    void thisKernelsFifteenColumnsPerCpuNodeWide() throws Exception {
        try (FakeProcfs proc = new FakeProcfs()) {
            proc.pid(1, HOST_INODE);
            proc.pid(100, 4026532100L);
            proc.fixture("6.18/net/softnet_stat", "net/softnet_stat");
            try (TestAgent agent = TestAgent.start(proc.yaml("softnet"))) {
                Scrape s = agent.scrape();
                assertEquals(0x1bbf93, s.value("podnet_softnet_processed_total", "cpu", "0"));
                assertEquals(0x1a7790, s.value("podnet_softnet_processed_total", "cpu", "1"));
                assertEquals(0xba0af, s.value("podnet_softnet_dropped_total", "cpu", "0"));
                assertEquals(0x32, s.value("podnet_softnet_time_squeeze_total", "cpu", "1"));
                assertEquals(0, s.value("podnet_softnet_backlog_len", "cpu", "1"));
                assertEquals(0, s.value("podnet_softnet_input_qlen", "cpu", "0"));
                assertEquals(0, s.value("podnet_softnet_process_qlen", "cpu", "0"));
                assertEquals(2, s.find("podnet_softnet_processed_total").size(), "one per CPU, not per namespace");
                assertEquals("", s.find("podnet_softnet_processed_total").getFirst().label("netns"));
                assertTrue(s.text().contains("# TYPE podnet_softnet_backlog_len gauge"));
            }
        }
    }

    @Test
    void olderKernelsReportTheColumnsTheyHave() throws Exception {
        try (FakeProcfs proc = new FakeProcfs()) {
            proc.pid(1, HOST_INODE);
            proc.fixture("5.10/net/softnet_stat", "net/softnet_stat");
            try (TestAgent agent = TestAgent.start(proc.yaml("softnet"))) {
                Scrape s = agent.scrape();
                assertEquals(0xabcdef, s.value("podnet_softnet_processed_total", "cpu", "3"), "cpu index column, cpu 2 offline");
                assertTrue(s.find("podnet_softnet_processed_total", "cpu", "2").isEmpty());
                assertEquals(5, s.value("podnet_softnet_backlog_len", "cpu", "3"));
                assertEquals(0x10, s.value("podnet_softnet_received_rps_total", "cpu", "1"));
                assertTrue(s.find("podnet_softnet_input_qlen").isEmpty(), "5.10 has no input_qlen");

                proc.fixture("2.6.32/net/softnet_stat", "net/softnet_stat");
                s = agent.scrape();
                assertEquals(0x2a1f3, s.value("podnet_softnet_processed_total", "cpu", "0"));
                assertEquals(3, s.value("podnet_softnet_cpu_collision_total", "cpu", "0"));
                assertEquals(2, s.value("podnet_softnet_dropped_total", "cpu", "1"));
                assertTrue(s.find("podnet_softnet_received_rps_total").isEmpty());
                assertTrue(s.find("podnet_softnet_flow_limit_count_total").isEmpty());

                proc.fixture("4.19/net/softnet_stat", "net/softnet_stat");
                s = agent.scrape();
                assertEquals(5, s.value("podnet_softnet_flow_limit_count_total", "cpu", "0"));
                assertEquals(0x1b07, s.value("podnet_softnet_time_squeeze_total", "cpu", "1"));
                assertTrue(s.find("podnet_softnet_backlog_len").isEmpty());

                proc.fixture("malformed/net/softnet_stat", "net/softnet_stat");
                s = agent.scrape();
                assertEquals(0x30, s.value("podnet_softnet_processed_total", "cpu", "2"));
                assertEquals(2, s.value("podnet_parse_errors_total", "probe", "softnet"));
                assertEquals(0, s.value("podnet_probe_errors_total", "probe", "softnet"));
            }
        }
    }
}
