package io.sluice.broker.engine;

import io.sluice.broker.protocol.Reply;

import java.util.concurrent.LinkedBlockingQueue;
import java.util.function.Supplier;

/**
 * A connection's sink for tests of what runs the engine: each flush adds the replies since the last one, then a
 * space and a tag taken at that moment (which thread flushed, or what a batch said then).
 *
 * <p>Thread rule: sending and flushing from the engine's one thread; {@link #flushes} from any.
 */
final class FlushLog implements ReplySink {
    final LinkedBlockingQueue<String> flushes = new LinkedBlockingQueue<>();
    private final StringBuilder replies = new StringBuilder();
    private final Supplier<String> tag;

    FlushLog(Supplier<String> tag) {
        this.tag = tag;
    }

    @Override
    public void send(Reply reply) {
        replies.append(reply).append(';');
    }

    @Override
    public void flush() {
        flushes.add(replies + " " + tag.get());
        replies.setLength(0);
    }

    @Override
    public void close() {
    }
}
