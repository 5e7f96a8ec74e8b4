package io.sluice.broker.engine;

/**
 * Something the durable log keeps alive: a job, a retained finished job, a schedule or a tube setting. It is
 * "anchored" in the segment holding its latest full record; compaction re-writes what is anchored in the oldest
 * segment before deleting it (see {@link Journal}).
 *
 * <p>Thread rule: engine thread only.
 */
abstract class Anchored {
    /** The segment holding this object's latest full record (null in memory), and that record's size. */
    Journal.Segment anchor;
    int anchorBytes;
    Anchored segPrev;
    Anchored segNext;
}
