package io.sluice.broker.server;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SelectStrategyFactory;
import io.netty.channel.ServerChannel;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollEventLoopGroup;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioEventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.sluice.broker.engine.EngineRunner;
import io.sluice.broker.protocol.CommandDecoder;

import java.net.InetSocketAddress;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The TCP edge: accepts connections and gives each a {@link CommandDecoder} and a {@link ClientConnection}.
 * Uses epoll where available, NIO elsewhere.
 *
 * <p>Thread rule: {@link #start} and {@link #close} from one controlling thread; the pipeline runs on event loops.
 */
public final class NettyServer implements AutoCloseable {
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final Class<? extends ServerChannel> channelType;
    private final ConnectionRegistry registry = new ConnectionRegistry();
    private Channel serverChannel;

    /**
     * @param hostsEngine the engine's cycles run on an event loop ({@link #engineHost}): its replies are then written
     *                    in the same pass that read the commands, and a loop polls briefly for the next requests
     *                    before blocking ({@link BusyPollSelectStrategy}); else it polls briefly for the engine
     *                    thread's replies ({@link ReplyAwaitingSelectStrategy})
     */
    public NettyServer(int ioThreads, boolean hostsEngine) {
        SelectStrategyFactory strategy = hostsEngine ? BusyPollSelectStrategy::new : ReplyAwaitingSelectStrategy::new;
        if (Epoll.isAvailable()) {
            boss = new EpollEventLoopGroup(1, new DefaultThreadFactory("sluice-accept"));
            workers = new EpollEventLoopGroup(ioThreads, new DefaultThreadFactory("sluice-io"),
                    strategy);
            channelType = EpollServerSocketChannel.class;
        } else {
            boss = new NioEventLoopGroup(1, new DefaultThreadFactory("sluice-accept"));
            workers = new NioEventLoopGroup(ioThreads, new DefaultThreadFactory("sluice-io"),
                    java.nio.channels.spi.SelectorProvider.provider(), strategy);
            channelType = NioServerSocketChannel.class;
        }
    }

    /** Binds and starts accepting. Returns the bound address (port 0 picks a free port). */
    public InetSocketAddress start(String host, int port, long maxJobSize, int verbose, EngineRunner engine)
            throws InterruptedException {
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(channelType)
                .option(ChannelOption.SO_BACKLOG, 1024)
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.SO_KEEPALIVE, true)
                // beanstalkd answers a half-closed waiting reserve with TIMED_OUT: we must see the half-close.
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("decoder", new CommandDecoder(maxJobSize));
                        ch.pipeline().addLast("connection", new ClientConnection(engine, registry, verbose));
                    }
                });
        serverChannel = b.bind(host, port).sync().channel();
        return (InetSocketAddress) serverChannel.localAddress();
    }

    /** The event loop that runs the engine's cycles when it has no thread of its own (the first). */
    public ScheduledExecutorService engineHost() {
        return workers.iterator().next();
    }

    /** Stops accepting and closes every client connection. */
    @Override
    public void close() {
        if (serverChannel != null) {
            serverChannel.close().awaitUninterruptibly();
        }
        registry.closeAll();
        boss.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
        workers.shutdownGracefully(0, 2, java.util.concurrent.TimeUnit.SECONDS).awaitUninterruptibly();
    }
}
