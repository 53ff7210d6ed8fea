package dev.podnet.probe.bpf;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.podnet.bpf.BpfMap;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** The layout of events.h's struct podnet_event (checked there by a static assertion too). */
class KernelEventRecordTest {
    @Test
    void decodesEveryField() {
        ByteBuffer b = ByteBuffer.allocate(KernelEventRecord.BYTES).order(BpfMap.order());
        b.putInt(0, 2).putInt(4, 0xf0000001).putLong(8, 0xffffffff81f79a5cL).putInt(16, 12).putInt(20, 1).putInt(24, 7);
        b.put(28, (byte) 2).put(29, (byte) 6).put(30, (byte) 2).put(31, (byte) 1).putShort(32, (short) 41234).putShort(34, (short) 5998);
        b.put(36, new byte[] {10, (byte) 212, 2, 1}).put(52, new byte[] {10, (byte) 212, 2, 2});
        b.put(68, "eth0".getBytes(StandardCharsets.US_ASCII));
        KernelEventRecord r = KernelEventRecord.decode(b);
        assertEquals(2, r.kind());
        assertEquals(0xf0000001L, r.netns(), "unsigned");
        assertEquals(0xffffffff81f79a5cL, r.value());
        assertEquals(12, r.reason());
        assertEquals(1, r.cpu());
        assertEquals(7, r.ifindex());
        assertEquals(2, r.family());
        assertEquals(6, r.protocol());
        assertEquals(2, r.state());
        assertEquals(1, r.phase());
        assertEquals(41234, r.sport(), "unsigned");
        assertEquals(5998, r.dport());
        assertEquals(10, r.saddr()[0]);
        assertEquals(2, r.daddr()[3]);
        assertEquals("eth0", r.device());
    }

    @Test
    void aShortRecordIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> KernelEventRecord.decode(ByteBuffer.allocate(40)));
    }
}
