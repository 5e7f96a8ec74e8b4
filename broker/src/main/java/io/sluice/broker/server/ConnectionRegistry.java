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

    void add(Channel ch) {
        channels.add(ch);
    }

    void closeAll() {
        channels.close().awaitUninterruptibly();
    }
}
