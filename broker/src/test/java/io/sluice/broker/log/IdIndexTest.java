package io.sluice.broker.log;

import org.junit.jupiter.api.Test;

import java.util.HashMap;
import java.util.Map;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class IdIndexTest {
    @Test
    void putRemoveAndAbsentIds() {
        IdIndex x = new IdIndex();
        for (int id = 1; id <= 10_000; id++) {
            x.put(id, id * 2);
        }
        assertEquals(14, x.remove(7));
        assertEquals(-1, x.remove(7));
        assertEquals(-1, x.remove(0));
        assertEquals(-1, x.remove(10_001));
        assertEquals(20_000, x.remove(10_000));
    }

    @Test
    void idsThatJumpAheadAndOldIdsStayFindable() {
        IdIndex x = new IdIndex();
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
    void agreesWithAMap() {
        Random rnd = new Random(7);
        IdIndex x = new IdIndex();
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
                assertEquals(p == null ? -1 : p, x.remove(id));
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
