package io.sluice.broker.log;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

/** The engine's job table and recovery's id index: one map, checked in both of their patterns. */
class IdMapTest {
    /** A value that knows its id, as the engine's jobs do. */
    private record Val(long id) { }

    private static void put(IdMap<Val> m, long id) {
        m.put(id, new Val(id));
    }

    @Test
    void sequentialPutsGetsAndRemoves() {
        IdMap<Val> t = new IdMap<>();
        for (long id = 1; id <= 20_000; id++) {
            put(t, id);
        }
        assertEquals(20_000, t.size());
        assertEquals(7, t.get(7).id());
        assertNull(t.get(0));
        assertNull(t.get(20_001));
        assertNull(t.get(Long.MAX_VALUE));
        assertEquals(7, t.remove(7).id());
        assertNull(t.remove(7));
        assertNull(t.get(7));
        assertEquals(19_999, t.size());
    }

    @Test
    void aSparseOldChunkMovesItsLeftoversAndTheyStayReachable() {
        IdMap<Val> t = new IdMap<>();
        for (long id = 1; id <= 3 * 4096; id++) {
            put(t, id);
        }
        // leave every 100th value of the first chunk: it drops below 1/16 present and moves to the sparse map
        for (long id = 1; id < 4096; id++) {
            if (id % 100 != 0) {
                assertEquals(id, t.remove(id).id());
            }
        }
        for (long id = 100; id < 4096; id += 100) {
            assertEquals(id, t.get(id).id());
        }
        assertNull(t.get(101));
        Set<Long> seen = new HashSet<>();
        for (Val v : t) {
            seen.add(v.id());
        }
        assertEquals(t.size(), seen.size());
        assertEquals(40 + 2 * 4096 + 1, t.size()); // 40 leftovers, ids 4096..12288
        for (long id = 100; id < 4096; id += 100) {
            assertEquals(id, t.remove(id).id());
        }
        assertEquals(2 * 4096 + 1, t.size());
    }

    @Test
    void restoreOrderOldIdsAfterNewOnes() {
        IdMap<Val> t = new IdMap<>();
        put(t, 50_000);
        put(t, 3); // older than the newest chunk and no chunk of its own: sparse
        put(t, 50_001);
        assertEquals(3, t.get(3).id());
        assertEquals(50_001, t.get(50_001).id());
        assertEquals(3, t.size());
        assertEquals(3, t.remove(3).id());
        assertEquals(2, t.size());
    }

    @Test
    void scatteredRestoredIdsDoNotEachKeepAChunk() {
        IdMap<Val> t = new IdMap<>();
        for (long i = 0; i < 1000; i++) {
            put(t, i * 1_000_000_007L + 1); // a restore of jobs whose ids are far apart
        }
        assertEquals(1, t.chunkCount()); // only the newest
        for (long i = 0; i < 1000; i++) {
            assertEquals(i * 1_000_000_007L + 1, t.get(i * 1_000_000_007L + 1).id());
        }
        assertEquals(1000, t.size());
    }

    /** Random puts (mostly new ids, as the engine makes them) and removes, checked against a HashMap. */
    @Test
    void agreesWithAMapUnderRandomUse() {
        Random rnd = new Random(42);
        IdMap<Val> t = new IdMap<>();
        Map<Long, Val> model = new HashMap<>();
        long nextId = 1;
        for (int i = 0; i < 400_000; i++) {
            int op = rnd.nextInt(10);
            if (op < 5) {
                Val v = new Val(nextId++);
                t.put(v.id(), v);
                model.put(v.id(), v);
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
        for (Val v : t) {
            assertSame(model.get(v.id()), v);
            n++;
        }
        assertEquals(model.size(), n);
    }

    // ---------------------------------------------------------------- recovery's pattern: id -> position

    @Test
    void positionsPutRemoveAndAbsentIds() {
        IdMap<Integer> x = new IdMap<>();
        for (int id = 1; id <= 10_000; id++) {
            x.put(id, id * 2);
        }
        assertEquals(14, x.remove(7));
        assertNull(x.remove(7));
        assertNull(x.remove(0));
        assertNull(x.remove(10_001));
        assertEquals(20_000, x.remove(10_000));
    }

    @Test
    void idsThatJumpAheadAndOldIdsStayFindable() {
        IdMap<Integer> x = new IdMap<>();
        x.put(5, 0);
        x.put(1_000_000_000L, 1); // the chunk of id 5 is nearly empty: it moves to the sparse map
        x.put(3, 2); // older than the newest chunk, no chunk of its own
        x.put(1_000_000_001L, 3);
        assertEquals(0, x.remove(5));
        assertEquals(2, x.remove(3));
        assertEquals(1, x.remove(1_000_000_000L));
        assertEquals(3, x.remove(1_000_000_001L));
    }

    /** A log's pattern: mostly new ascending ids, some re-put (compaction copies) and removed, against a HashMap. */
    @Test
    void positionsAgreeWithAMap() {
        Random rnd = new Random(7);
        IdMap<Integer> x = new IdMap<>();
        Map<Long, Integer> model = new HashMap<>();
        long next = 1;
        for (int i = 0; i < 300_000; i++) {
            int op = rnd.nextInt(10);
            if (op < 5) {
                long id = rnd.nextInt(50) == 0 ? next + rnd.nextInt(100_000) : next;
                next = Math.max(next, id) + 1;
                if (!model.containsKey(id)) {
                    model.put(id, i);
                    x.put(id, i);
                }
            } else {
                long id = rnd.nextBoolean() ? 1 + rnd.nextInt((int) next) : Math.max(1, next - rnd.nextInt(3000));
                Integer p = model.remove(id);
                assertEquals(p, x.remove(id));
                if (p != null && rnd.nextInt(4) == 0) {
                    model.put(id, i); // a STATE record: the job comes back at a new position
                    x.put(id, i);
                }
            }
        }
        for (Map.Entry<Long, Integer> e : model.entrySet()) {
            assertEquals(e.getValue(), x.remove(e.getKey()));
        }
    }
}
