package io.sluice.broker.engine;

/**
 * A named recurring put into a tube (PROTOCOL.md §7.9).
 *
 * <p>Thread rule: engine thread only.
 */
final class Schedule extends AnchoredRecord {
    static final IndexedHeap.Slot<Schedule> SLOT = new IndexedHeap.Slot<>() {
        @Override
        public int get(Schedule e) {
            return e.slot;
        }

        @Override
        public void set(Schedule e, int index) {
            e.slot = index;
        }
    };

    final String tube;
    final String name;
    final String spec;
    final String zone;
    final CronSpec cron;
    final long pri;
    /** ns. */
    final long ttr;
    final byte[] body;
    /** Wall-clock ms when added: the anchor of {@code @every}. */
    final long addedAt;
    /** Wall-clock ms of the next firing, and the same instant on the engine clock (ns). */
    long nextAtWall;
    long nextAt;
    long fired;
    int slot = -1;

    Schedule(String tube, String name, String spec, String zone, CronSpec cron, long pri, long ttr, byte[] body,
             long addedAt) {
        this.tube = tube;
        this.name = name;
        this.spec = spec;
        this.zone = zone;
        this.cron = cron;
        this.pri = pri;
        this.ttr = ttr;
        this.body = body;
        this.addedAt = addedAt;
    }

    /** Map key: names are unique per tube. */
    static String key(String tube, String name) {
        return tube + ' ' + name;
    }
}
