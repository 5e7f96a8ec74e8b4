package io.sluice.broker.server;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;

/**
 * Every open client channel, so that shutdown can close them all. Thread-safe (a Netty {@link ChannelGroup}
 * removes closed channels by itself).
 */
final class ConnectionRegistry {
    private final ChannelGroup channels = new DefaultChannelGroup("sluice-clients", GlobalEventExecutor.INSTANCE);
    private final java.util.concurrent.ConcurrentHashMap<io.netty.util.concurrent.EventExecutor, LoopFlusher> flushers =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** The flusher of an event loop (one per loop). */
    LoopFlusher flusher(io.netty.util.concurrent.EventExecutor loop) {
        LoopFlusher f = flushers.computeIfAbsent(loop, LoopFlusher::new);
        if (loop.inEventLoop()) {
            LoopFlusher.CURRENT.set(f);
        }
        return f;
    }

    private final java.util.concurrent.ConcurrentHashMap<io.netty.util.concurrent.EventExecutor, LoopSubmitter> submitters =
            new java.util.concurrent.ConcurrentHashMap<>();

    /** The submitter of an event loop (one per loop). */
    LoopSubmitter submitter(io.netty.util.concurrent.EventExecutor loop, io.sluice.broker.engine.EngineRunner engine) {
        return submitters.computeIfAbsent(loop, l -> new LoopSubmitter(l, engine, flusher(l)));
    }

    void add(Channel ch) {
        channels.add(ch);
    }

    void closeAll() {
        channels.close().awaitUninterruptibly();
    }
}
