package io.sluice.broker.engine;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class JobTableTest {
    private static final Tube TUBE = new Tube("default");

    private static Job job(long id) {
        return new Job(id, TUBE, 0, 0, 0, new byte[0], 0);
    }

    @Test
    void sequentialPutsGetsAndRemoves() {
        JobTable t = new JobTable();
        for (long id = 1; id <= 20_000; id++) {
            t.put(job(id));
        }
        assertEquals(20_000, t.size());
        assertEquals(7, t.get(7).id);
        assertNull(t.get(0));
        assertNull(t.get(20_001));
        assertNull(t.get(Long.MAX_VALUE));
        assertEquals(7, t.remove(7).id);
        assertNull(t.remove(7));
        assertNull(t.get(7));
        assertEquals(19_999, t.size());
    }

    @Test
    void aSparseOldChunkMovesItsLeftoversAndTheyStayReachable() {
        JobTable t = new JobTable();
        for (long id = 1; id <= 3 * 4096; id++) {
            t.put(job(id));
        }
        // leave every 100th job of the first chunk: it drops below 1/16 live and moves to the sparse map
        for (long id = 1; id < 4096; id++) {
            if (id % 100 != 0) {
                assertEquals(id, t.remove(id).id);
            }
        }
        for (long id = 100; id < 4096; id += 100) {
            assertEquals(id, t.get(id).id);
        }
        assertNull(t.get(101));
        Set<Long> seen = new HashSet<>();
        for (Job j : t) {
            seen.add(j.id);
        }
        assertEquals(t.size(), seen.size());
        assertEquals(40 + 2 * 4096 + 1, t.size()); // 40 leftovers, ids 4096..12288
        for (long id = 100; id < 4096; id += 100) {
            assertEquals(id, t.remove(id).id);
        }
        assertEquals(2 * 4096 + 1, t.size());
    }

    @Test
    void restoreOrderOldIdsAfterNewOnes() {
        JobTable t = new JobTable();
        t.put(job(50_000));
        t.put(job(3)); // older than the newest chunk and no chunk of its own: sparse
        t.put(job(50_001));
        assertEquals(3, t.get(3).id);
        assertEquals(50_001, t.get(50_001).id);
        assertEquals(3, t.size());
        assertEquals(3, t.remove(3).id);
        assertEquals(2, t.size());
    }

    @Test
    void scatteredRestoredIdsDoNotEachKeepAChunk() throws Exception {
        JobTable t = new JobTable();
        for (long i = 0; i < 1000; i++) {
            t.put(job(i * 1_000_000_007L + 1)); // a restore of jobs whose ids are far apart
        }
        java.lang.reflect.Field f = JobTable.class.getDeclaredField("chunks");
        f.setAccessible(true);
        assertEquals(1, ((java.util.Map<?, ?>) f.get(t)).size()); // only the newest
        for (long i = 0; i < 1000; i++) {
            assertEquals(i * 1_000_000_007L + 1, t.get(i * 1_000_000_007L + 1).id);
        }
        assertEquals(1000, t.size());
    }

    /** Random puts (mostly new ids, as the engine makes them) and removes, checked against a HashMap. */
    @Test
    void agreesWithAMapUnderRandomUse() {
        Random rnd = new Random(42);
        JobTable t = new JobTable();
        Map<Long, Job> model = new HashMap<>();
        long nextId = 1;
        for (int i = 0; i < 400_000; i++) {
            int op = rnd.nextInt(10);
            if (op < 5) {
                Job j = job(nextId++);
                t.put(j);
                model.put(j.id, j);
            } else {
                // remove mostly recent ids, sometimes very old ones, sometimes ids that are gone
                long id = rnd.nextInt(4) == 0 ? 1 + rnd.nextInt((int) nextId)
                        : Math.max(1, nextId - 1 - rnd.nextInt(5000));
                assertSame(model.remove(id), t.remove(id));
            }
            if (i % 997 == 0) {
                long id = 1 + rnd.nextInt((int) nextId);
                assertSame(model.get(id), t.get(id));
            }
        }
        assertEquals(model.size(), t.size());
        int n = 0;
        for (Job j : t) {
            assertSame(model.get(j.id), j);
            n++;
        }
        assertEquals(model.size(), n);
    }
}
