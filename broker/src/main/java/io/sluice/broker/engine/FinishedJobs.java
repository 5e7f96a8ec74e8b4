package io.sluice.broker.engine;

import io.sluice.broker.log.IdMap;

import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * The finished jobs remembered for the retention time (PROTOCOL.md §7.5), oldest first, bounded in number so that
 * memory stays bounded whatever the delete rate.
 *
 * <p>Thread rule: engine thread only.
 */
final class FinishedJobs {
    static final long DEFAULT_RETENTION_MILLIS = 3_600_000;
    static final int DEFAULT_MAX = 100_000;

    /**
     * By id. Jobs finish roughly in id order, so an {@link IdMap} fills and empties its chunks in sequence, where a
     * hash table probed a random place for every add and every forget: that was 1.8% of the loop at cycle c100, half
     * of the engine's time there.
     */
    private final IdMap<Finished> byId = new IdMap<>();
    private final ArrayDeque<Finished> order = new ArrayDeque<>();
    private long retentionMillis = DEFAULT_RETENTION_MILLIS;
    private int max = DEFAULT_MAX;

    void configure(long millis, int maxEntries) {
        this.retentionMillis = millis;
        this.max = maxEntries;
    }

    long retentionMillis() {
        return retentionMillis;
    }

    int max() {
        return max;
    }

    /** Whether finished jobs are remembered at all. */
    boolean retains() {
        return max > 0 && retentionMillis > 0;
    }

    int size() {
        return byId.size();
    }

    /** The remembered job, or null (never remembered, or forgotten since). */
    Finished get(long id, long wallNow) {
        Finished f = byId.get(id);
        return f != null && live(f, wallNow) ? f : null;
    }

    boolean live(Finished f, long wallNow) {
        return f.finishedAt + retentionMillis > wallNow && byId.get(f.id) == f;
    }

    /** Remembers {@code f}, forgetting the oldest when over the limit ({@code onForget} sees each one). */
    void add(Finished f, Consumer<Finished> onForget) {
        Finished old = byId.get(f.id);
        if (old != null) {
            byId.remove(f.id);
            order.remove(old); // only after a restore that saw the job twice; rare
            onForget.accept(old);
        }
        byId.put(f.id, f);
        order.add(f);
        while (order.size() > max) {
            forget(order.poll(), onForget);
        }
    }

    /** Forgets every job whose retention has passed. */
    void expire(long wallNow, Consumer<Finished> onForget) {
        Finished f;
        while ((f = order.peek()) != null && f.finishedAt + retentionMillis <= wallNow) {
            forget(order.poll(), onForget);
        }
    }

    /** Wall-clock ms when the oldest remembered job is forgotten, or Long.MAX_VALUE. */
    long nextExpiry() {
        Finished f = order.peek();
        return f == null ? Long.MAX_VALUE : f.finishedAt + retentionMillis;
    }

    private void forget(Finished f, Consumer<Finished> onForget) {
        byId.remove(f.id);
        onForget.accept(f);
    }
}
