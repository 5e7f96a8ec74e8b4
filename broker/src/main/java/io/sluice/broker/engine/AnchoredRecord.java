package io.sluice.broker.engine;

/**
 * The anchor fields of the non-job objects the log keeps alive (finished jobs, schedules, tube settings). Jobs carry
 * their own in {@link DurableJob}: a class extends only one, and a job must be a {@link Job}.
 *
 * <p>Thread rule: engine thread only.
 */
abstract class AnchoredRecord implements Anchored {
    private Journal.Segment anchor;
    private int anchorBytes;
    private Anchored segPrev;
    private Anchored segNext;

    @Override
    public Journal.Segment anchor() {
        return anchor;
    }

    @Override
    public int anchorBytes() {
        return anchorBytes;
    }

    @Override
    public void anchor(Journal.Segment segment, int bytes) {
        anchor = segment;
        anchorBytes = bytes;
    }

    @Override
    public Anchored segPrev() {
        return segPrev;
    }

    @Override
    public void segPrev(Anchored a) {
        segPrev = a;
    }

    @Override
    public Anchored segNext() {
        return segNext;
    }

    @Override
    public void segNext(Anchored a) {
        segNext = a;
    }
}
