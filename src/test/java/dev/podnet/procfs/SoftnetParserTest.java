package dev.podnet.procfs;

import static dev.podnet.procfs.SoftnetParser.ABSENT;
import static dev.podnet.procfs.SoftnetParser.Column.BACKLOG_LEN;
import static dev.podnet.procfs.SoftnetParser.Column.CPU_COLLISION;
import static dev.podnet.procfs.SoftnetParser.Column.DROPPED;
import static dev.podnet.procfs.SoftnetParser.Column.FLOW_LIMIT_COUNT;
import static dev.podnet.procfs.SoftnetParser.Column.INPUT_QLEN;
import static dev.podnet.procfs.SoftnetParser.Column.PROCESSED;
import static dev.podnet.procfs.SoftnetParser.Column.PROCESS_QLEN;
import static dev.podnet.procfs.SoftnetParser.Column.RECEIVED_RPS;
import static dev.podnet.procfs.SoftnetParser.Column.TIME_SQUEEZE;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.podnet.testing.Fixtures;
import java.util.List;
import org.junit.jupiter.api.Test;

class SoftnetParserTest {

    @Test
    void nineColumnsOfKernel2632() {
        SoftnetParser.Softnet s = SoftnetParser.parse(Fixtures.text("2.6.32/net/softnet_stat"));
        assertEquals(0, s.malformedLines());
        assertEquals(List.of(0, 1), cpus(s));
        SoftnetParser.CpuRow cpu0 = s.rows().get(0);
        assertEquals(0x2a1f3, cpu0.get(PROCESSED));
        assertEquals(0x11, cpu0.get(TIME_SQUEEZE));
        assertEquals(3, cpu0.get(CPU_COLLISION));
        assertEquals(ABSENT, cpu0.get(RECEIVED_RPS));
        assertEquals(ABSENT, cpu0.get(FLOW_LIMIT_COUNT));
        assertEquals(2, s.rows().get(1).get(DROPPED));
    }

    @Test
    void tenColumnsOfKernel310AddReceivedRps() {
        SoftnetParser.Softnet s = SoftnetParser.parse(Fixtures.text("3.10/net/softnet_stat"));
        assertEquals(0, s.malformedLines());
        assertEquals(List.of(0, 1, 2), cpus(s), "no cpu column: the row number");
        assertEquals(0x120, s.rows().get(0).get(RECEIVED_RPS));
        assertEquals(0x0b2c3d4e, s.rows().get(0).get(PROCESSED));
        assertEquals(ABSENT, s.rows().get(2).get(FLOW_LIMIT_COUNT));
    }

    @Test
    void elevenColumnsOfKernel419AddFlowLimit() {
        SoftnetParser.Softnet s = SoftnetParser.parse(Fixtures.text("4.19/net/softnet_stat"));
        assertEquals(0, s.malformedLines());
        assertEquals(5, s.rows().get(0).get(FLOW_LIMIT_COUNT));
        assertEquals(0x7e3a9c11L, s.rows().get(0).get(PROCESSED));
        assertEquals(0x1b07, s.rows().get(1).get(TIME_SQUEEZE));
        assertEquals(ABSENT, s.rows().get(1).get(BACKLOG_LEN));
    }

    @Test
    void thirteenColumnsOfKernel510NameTheCpuEvenWhenOneIsOffline() {
        SoftnetParser.Softnet s = SoftnetParser.parse(Fixtures.text("5.10/net/softnet_stat"));
        assertEquals(0, s.malformedLines());
        assertEquals(List.of(0, 1, 3), cpus(s), "cpu 2 is offline: the third row is cpu 3");
        assertEquals(5, s.rows().get(2).get(BACKLOG_LEN));
        assertEquals(0x10, s.rows().get(1).get(RECEIVED_RPS));
        assertEquals(ABSENT, s.rows().get(0).get(INPUT_QLEN));
    }

    @Test
    void fifteenColumnsOfThisKernel() {
        SoftnetParser.Softnet s = SoftnetParser.parse(Fixtures.text("6.18/net/softnet_stat"));
        assertEquals(0, s.malformedLines());
        assertEquals(List.of(0, 1), cpus(s));
        assertEquals(0x1bbf93, s.rows().get(0).get(PROCESSED));
        assertEquals(0x765cc, s.rows().get(1).get(DROPPED));
        assertEquals(0x32, s.rows().get(1).get(TIME_SQUEEZE));
        assertEquals(0, s.rows().get(1).get(PROCESS_QLEN));
        assertEquals(0, s.rows().get(0).get(INPUT_QLEN));
    }

    @Test
    void malformedRowsAreSkippedAndCounted() {
        SoftnetParser.Softnet s = SoftnetParser.parse(Fixtures.text("malformed/net/softnet_stat"));
        assertEquals(2, s.malformedLines(), "a non-hex row and a 3-column row");
        assertEquals(List.of(0, 2), cpus(s));
        assertEquals(0x30, s.rows().get(1).get(PROCESSED));
        assertEquals(4, s.rows().get(1).get(BACKLOG_LEN));
        assertEquals(1, s.rows().get(1).get(INPUT_QLEN));
        assertEquals(3, s.rows().get(1).get(PROCESS_QLEN));
    }

    private static List<Integer> cpus(SoftnetParser.Softnet s) {
        return s.rows().stream().map(SoftnetParser.CpuRow::cpu).toList();
    }
}
