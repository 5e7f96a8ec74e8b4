package io.sluice.broker.server;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** When the event loop waits for the engine's replies after a hand-over, and when it stops bothering. */
class LoopFlusherTest {
    private final LoopFlusher f = new LoopFlusher(null);

    private int waitsIn(int handOvers, boolean answered) {
        int waited = 0;
        for (int i = 0; i < handOvers; i++) {
            if (f.worthAwaiting()) {
                waited++;
                f.awaited(answered);
            }
        }
        return waited;
    }

    @Test
    void waitsEveryTimeWhileRepliesComeAtOnce() {
        assertEquals(1000, waitsIn(1000, true));
    }

    @Test
    void afterTwoSilentHandOversWaitsOnlyEverySixteenth() {
        int waited = waitsIn(2 + 16 * 100, false);
        assertEquals(2 + 100, waited);
    }

    @Test
    void oneAnsweredProbeResumesWaitingEveryTime() {
        waitsIn(2, false);
        for (int i = 0; i < 15; i++) {
            assertTrue(!f.worthAwaiting());
        }
        assertTrue(f.worthAwaiting(), "the 16th hand-over probes");
        f.awaited(true);
        assertEquals(50, waitsIn(50, true));
    }

    @Test
    void aSingleSilentHandOverDoesNotStopTheWaiting() {
        for (int i = 0; i < 100; i++) {
            assertTrue(f.worthAwaiting());
            f.awaited(i % 2 == 0);
        }
    }
}
