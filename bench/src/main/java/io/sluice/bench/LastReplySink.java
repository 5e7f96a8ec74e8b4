package io.sluice.bench;

import io.sluice.broker.engine.ReplySink;
import io.sluice.broker.protocol.Reply;

/**
 * A {@link ReplySink} that keeps only the last reply (the benchmarks read ids from it) and a count: no queue, so
 * nothing but the engine's own work is measured.
 *
 * <p>Thread rule: the engine's thread, which in these benchmarks is JMH's benchmark thread.
 */
final class LastReplySink implements ReplySink {
    Reply last;
    long count;

    @Override
    public void send(Reply reply) {
        last = reply;
        count++;
    }

    @Override
    public void flush() {
    }

    @Override
    public void close() {
    }

    /** The id of the last {@code INSERTED} or {@code RESERVED} reply; fails on anything else. */
    long lastId() {
        if (last instanceof Reply.Numbered n && n.word() == Reply.NumberedWord.INSERTED) {
            return n.value();
        }
        if (last instanceof Reply.JobBody j) {
            return j.id();
        }
        throw new IllegalStateException("unexpected reply " + last);
    }
}
