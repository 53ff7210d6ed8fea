package dev.podnet.procfs;

import static dev.podnet.procfs.ProcIoParser.Field.CANCELLED_WRITE_BYTES;
import static dev.podnet.procfs.ProcIoParser.Field.RCHAR;
import static dev.podnet.procfs.ProcIoParser.Field.READ_BYTES;
import static dev.podnet.procfs.ProcIoParser.Field.SYSCR;
import static dev.podnet.procfs.ProcIoParser.Field.SYSCW;
import static dev.podnet.procfs.ProcIoParser.Field.WCHAR;
import static dev.podnet.procfs.ProcIoParser.Field.WRITE_BYTES;
import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.podnet.testing.Fixtures;
import org.junit.jupiter.api.Test;

class ProcIoParserTest {

    @Test
    void fileOfThisKernel() {
        ProcIoParser.ProcIo io = ProcIoParser.parse(Fixtures.text("6.18/io"));
        assertEquals(0, io.malformedLines());
        assertEquals(6976, io.get(RCHAR));
        assertEquals(10, io.get(SYSCR));
        assertEquals(0, io.get(WCHAR));
        assertEquals(0, io.get(CANCELLED_WRITE_BYTES));
    }

    @Test
    void malformedLinesAreSkippedAndCounted() {
        ProcIoParser.ProcIo io = ProcIoParser.parse(Fixtures.text("malformed/io"));
        assertEquals(3, io.malformedLines());
        assertEquals(100, io.get(RCHAR));
        assertEquals(200, io.get(WCHAR));
        assertEquals(4096, io.get(READ_BYTES));
        assertEquals(ProcIoParser.ABSENT, io.get(SYSCR));
        assertEquals(ProcIoParser.ABSENT, io.get(SYSCW));
        assertEquals(ProcIoParser.ABSENT, io.get(WRITE_BYTES));
    }
}
