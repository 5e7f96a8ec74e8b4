package io.sluice.broker.engine;

import io.sluice.broker.log.LogFormat;
import io.sluice.broker.protocol.JobState;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The fields a job packs into one int (state, logged state, reserve count) and keeps in its rare part (ext). */
class JobTest {
    private static Job job() {
        return new Job(1, null, 7, 0, 1_000_000_000L, new byte[0], 0);
    }

    @Test
    void stateLoggedStateAndReservesDoNotDisturbEachOther() {
        Job j = job();
        assertEquals(JobState.READY, j.state());
        assertEquals(LogFormat.READY, j.loggedState());
        assertEquals(0, j.reserves());
        for (JobState s : JobState.values()) {
            j.state(s);
            j.loggedState(LogFormat.BURIED);
            j.countReserve();
            assertEquals(s, j.state());
            assertEquals(LogFormat.BURIED, j.loggedState());
            j.loggedState(LogFormat.DELAYED);
            assertEquals(s, j.state());
            assertEquals(LogFormat.DELAYED, j.loggedState());
        }
        assertEquals(JobState.values().length, j.reserves());
        j.restoreReserves(41);
        assertEquals(41, j.reserves());
        assertEquals(JobState.BURIED, j.state());
        assertEquals(LogFormat.DELAYED, j.loggedState());
    }

    @Test
    void aReserveCountPastTwentyFourBitsGoesOnCounting() {
        Job j = job();
        j.state(JobState.RESERVED);
        j.restoreReserves((1 << 24) - 2);
        j.countReserve();
        assertEquals((1 << 24) - 1, j.reserves());
        j.countReserve();
        j.countReserve();
        assertEquals((1 << 24) + 1, j.reserves());
        assertEquals(JobState.RESERVED, j.state());
        j.restoreReserves(-1); // u32 max, as the log holds it
        assertEquals(-1, j.reserves());
        j.restoreReserves(5);
        assertEquals(5, j.reserves());
    }

    @Test
    void extensionFieldsLiveBesideTheRareCounters() {
        Job j = job();
        assertNull(j.ext());
        j.ext(null);
        assertNull(j.ext());
        assertEquals(0, j.releases());
        JobExt x = new JobExt("k", 0, 0, false, -1);
        j.ext(x);
        j.countRelease();
        assertSame(x, j.ext());
        assertEquals(1, j.releases());
        j.ext(null);
        assertNull(j.ext());
        assertEquals(1, j.releases());
    }
}
