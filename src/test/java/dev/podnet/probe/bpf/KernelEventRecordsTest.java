package dev.podnet.probe.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.podnet.bpf.BpfMap;
import dev.podnet.probe.ProbeEvent;
import java.nio.ByteBuffer;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The reader thread's handling of records: a bad one is counted and skipped, never the end of reading. */
class KernelEventRecordsTest {
    private static ByteBuffer record(int kind) {
        return ByteBuffer.allocate(KernelEventRecord.BYTES).order(BpfMap.order()).putInt(0, kind).putInt(4, 42);
    }

    @Test
    void badRecordsAreCountedAndTheNextOnesStillRead() {
        CapturedEvents events = new CapturedEvents();
        KernelEventReader.Records records = new KernelEventReader.Records("p", events, r -> switch (r.kind()) {
            case 0 -> new ProbeEvent("T", "p", r.netns(), Map.of(), "ok");
            case 1 -> null; // the probe skips it
            default -> throw new IndexOutOfBoundsException("no kind " + r.kind());
        });
        records.accept(record(0));
        records.accept(ByteBuffer.allocate(10)); // too short
        records.accept(record(7)); // the probe cannot make it
        records.accept(record(1));
        records.accept(record(0));
        assertEquals(2, events.emitted());
        assertEquals(42, events.all().getFirst().netns());
        assertEquals(2, records.emitted());
        assertEquals(2, records.undecodable());
    }
}
