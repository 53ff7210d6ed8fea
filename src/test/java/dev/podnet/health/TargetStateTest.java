package dev.podnet.health;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

class TargetStateTest {
    private static CheckOutcome ok(double seconds) {
        return new CheckOutcome(true, seconds, null, false);
    }

    private static final CheckOutcome FAIL = CheckOutcome.noAnswer("no answer");

    @Test
    void upIsUnknownUntilTheFirstCheckEnds() {
        TargetState s = new TargetState(2);
        assertNull(s.snapshot().up());
        assertEquals(0, s.snapshot().answerSeconds().count());
    }

    @Test
    void downOnlyAfterThresholdFailuresInARow() {
        TargetState s = new TargetState(2);
        s.record(ok(0.001));
        assertEquals(1, s.snapshot().up());
        s.record(FAIL);
        assertEquals(1, s.snapshot().up(), "one failure of two allowed");
        s.record(FAIL);
        assertEquals(0, s.snapshot().up());
        s.record(FAIL);
        assertEquals(0, s.snapshot().up());
        s.record(ok(0.002));
        assertEquals(1, s.snapshot().up(), "one success brings it back");
        s.record(FAIL);
        assertEquals(1, s.snapshot().up(), "the count in a row starts again");
        assertEquals(2, s.snapshot().successes());
        assertEquals(4, s.snapshot().failures());
    }

    @Test
    void thresholdOneAndAFirstFailure() {
        TargetState s = new TargetState(0);
        s.record(FAIL);
        assertEquals(0, s.snapshot().up(), "a threshold below 1 counts as 1");
        TargetState two = new TargetState(2);
        two.record(FAIL);
        assertEquals(1, two.snapshot().up(), "up until the threshold is reached, also before any success");
    }

    @Test
    void answerTimesOfSuccessesOnly() {
        TargetState s = new TargetState(3);
        s.record(ok(0.00005));
        s.record(ok(0.0001));
        s.record(ok(0.003));
        s.record(ok(5));
        s.record(FAIL);
        var h = s.snapshot().answerSeconds();
        assertEquals(4, h.count());
        assertEquals(5.00315, h.sum(), 1e-9);
        long[] expected = new long[TargetState.BUCKETS.length + 1];
        expected[0] = 2; // <= 0.1 ms, the bound itself included
        expected[5] = 1; // <= 5 ms
        expected[TargetState.BUCKETS.length] = 1; // +Inf
        assertArrayEquals(expected, h.counts());
    }
}
