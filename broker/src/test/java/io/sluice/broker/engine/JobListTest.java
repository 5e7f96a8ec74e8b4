package io.sluice.broker.engine;

import org.junit.jupiter.api.Test;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

class JobListTest {
    private final Tube tube = new Tube("t");
    private long nextId = 1;

    private Job job() {
        return new Job(nextId++, tube, 0, 0, 60_000_000_000L, new byte[0], 0);
    }

    private static List<Job> contents(JobList l) {
        List<Job> out = new ArrayList<>();
        for (Job j = l.first(); j != null; j = l.after(j)) {
            out.add(j);
        }
        return out;
    }

    @Test
    void keepsTheOrderOfAppendingAcrossRemovalsAndGrowth() {
        JobList l = new JobList();
        List<Job> model = new ArrayList<>();
        Random r = new Random(42);
        for (int step = 0; step < 20_000; step++) {
            if (model.isEmpty() || r.nextInt(3) > 0) {
                Job j = job();
                l.append(j);
                model.add(j);
            } else {
                // mostly the oldest (kick), sometimes any (delete, release of one of several reserved)
                Job j = model.remove(r.nextInt(4) == 0 ? r.nextInt(model.size()) : 0);
                l.remove(j);
                assertEquals(-1, j.tubeSlot);
            }
            assertEquals(model.size(), l.size());
            assertSame(model.isEmpty() ? null : model.get(0), l.first());
            if (step % 97 == 0) {
                assertEquals(model, contents(l));
            }
        }
        assertEquals(model, contents(l));
    }

    @Test
    void aDrainedListStartsAfresh() {
        JobList l = new JobList();
        ArrayDeque<Job> jobs = new ArrayDeque<>();
        for (int i = 0; i < 1000; i++) {
            Job j = job();
            l.append(j);
            jobs.add(j);
        }
        while (!jobs.isEmpty()) {
            l.remove(jobs.poll());
        }
        assertNull(l.first());
        assertEquals(0, l.size());
        Job j = job();
        l.append(j);
        assertEquals(0, j.tubeSlot);
        assertEquals(List.of(j), contents(l));
    }

    @Test
    void aJobIsInOneListOrHeapAtATime() {
        JobList buried = new JobList();
        JobList reserved = new JobList();
        Job j = job();
        buried.append(j);
        assertThrows(IllegalStateException.class, () -> reserved.append(j));
        assertThrows(IllegalStateException.class, () -> tube.ready.add(j));
        Job other = job();
        assertThrows(IllegalStateException.class, () -> buried.remove(other));
        buried.remove(j);
        reserved.append(j);
        assertEquals(List.of(j), contents(reserved));
    }
}
