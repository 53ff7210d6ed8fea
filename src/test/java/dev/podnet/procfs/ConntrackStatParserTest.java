package dev.podnet.procfs;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.podnet.testing.Fixtures;
import org.junit.jupiter.api.Test;

class ConntrackStatParserTest {

    @Test
    void perCpuRowsAreSummedButEntriesTakenOnce() {
        ConntrackStatParser.ConntrackStat s = ConntrackStatParser.parse(Fixtures.text("4.19/net/stat/nf_conntrack"));
        assertEquals(0, s.malformedLines());
        assertEquals(1000, s.entries(), "0x3e8 on each of the 4 rows, not 4000");
        assertEquals(0xa12 + 0x931 + 0x10 + 0x100, s.counter("found"));
        assertEquals(3, s.counter("insert_failed"));
        assertEquals(1, s.counter("early_drop"));
        assertEquals(0x10 + 0x2, s.counter("search_restart"));
        assertEquals(0, s.counter("searched"), "the 4.19 header still names it");
        assertEquals(-1, s.counter("clashres"));
        assertFalse(s.columns().contains("entries"));
    }

    @Test
    void modernHeaderFromThisKernel() {
        ConntrackStatParser.ConntrackStat s = ConntrackStatParser.parse(Fixtures.text("6.18/net/stat/nf_conntrack"));
        assertEquals(0, s.malformedLines());
        assertEquals(1, s.entries(), "one entry, printed on both CPU rows");
        assertEquals(0, s.counter("clashres"));
        assertEquals(0, s.counter("chainlength"));
        assertEquals(-1, s.counter("searched"));
        assertEquals(16, s.columns().size());
    }

    @Test
    void malformedRowsAreSkippedAndCounted() {
        ConntrackStatParser.ConntrackStat s = ConntrackStatParser.parse(Fixtures.text("malformed/net/stat/nf_conntrack"));
        assertEquals(2, s.malformedLines());
        assertEquals(5, s.entries());
        assertEquals(0x11, s.counter("found"));
        assertEquals(0x44, s.counter("drop"));
    }

    @Test
    void emptyFile() {
        ConntrackStatParser.ConntrackStat s = ConntrackStatParser.parse("");
        assertEquals(-1, s.entries());
        assertEquals(0, s.columns().size());
    }
}
