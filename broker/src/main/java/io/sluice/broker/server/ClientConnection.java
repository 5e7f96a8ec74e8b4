package io.sluice.broker.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.sluice.broker.engine.Client;
import io.sluice.broker.engine.EngineRunner;
import io.sluice.broker.engine.ReplySink;
import io.sluice.broker.protocol.Command;
import io.sluice.broker.protocol.CommandDecoder;
import io.sluice.broker.protocol.Reply;
import io.sluice.broker.protocol.ReplyEncoder;
import org.agrona.collections.IntArrayQueue;

import java.io.IOException;
import java.util.ArrayList;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One client connection at the Netty edge. Inbound: the commands decoded from one read go to the engine as one
 * batch, together with the other connections' batches of the same loop pass ({@link LoopSubmitter}). Outbound: the engine queues replies here ({@link ReplySink}); one task on the event loop encodes every
 * queued reply and sends them at once ({@link ReplyWriter}), so a pipelining client gets many replies per write.
 *
 * <p>Back-pressure, both ways, so that a client can never make the broker hold unbounded memory: reading stops
 * while too much of this client's input awaits replies (weighted by body size), and encoding stops while the
 * socket is not writable (a client that never reads its replies).
 *
 * <p>Thread rule: handler methods run on the channel's event loop; the {@link ReplySink} methods are called by
 * the engine thread and only enqueue and schedule.
 */
final class ClientConnection extends ChannelInboundHandlerAdapter implements ReplySink {
    /** Input weight (commands + body bytes) in flight above which reading pauses, and below which it resumes. */
    static final int HIGH_WATER = 1 << 20;
    static final int LOW_WATER = 1 << 18;
    private static final int COMMAND_WEIGHT = 64;
    /** Bodies larger than this are written as their own buffer instead of being copied. */
    private static final int COPY_LIMIT = 8192;
    /** Encode at most this much before handing a buffer to the channel (lets writability react). */
    private static final int CHUNK = 64 * 1024;

    private final EngineRunner engine;
    private final ConnectionRegistry registry;
    /** -V: log connections; -VV: also every command and reply (beanstalkd's -VV). */
    private final int verbose;
    private final Client client = new Client(this);
    /** Replies cross to the event loop a cycle's worth at a time: one queue node per engine cycle, not per reply. */
    private final ConcurrentLinkedQueue<ArrayList<Reply>> outbox = new ConcurrentLinkedQueue<>();
    /** Engine thread only: this cycle's replies, published by {@link #flush} or {@link #close}. */
    private ArrayList<Reply> pending = new ArrayList<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private volatile boolean closeRequested;

    // Event-loop-only state (ctx and flusher are set before the engine hears of the connection).
    private ChannelHandlerContext ctx;
    private ReplyWriter out;
    private LoopFlusher flusher;
    private LoopSubmitter submitter;
    private ArrayList<Command> batch = new ArrayList<>();
    /** Weight of each command sent to the engine and not yet answered, in order. */
    private final IntArrayQueue weights = new IntArrayQueue(64, -1);
    private long outstanding;
    private boolean gone;
    /** The published batch being encoded, and how far. */
    private ArrayList<Reply> draining;
    private int drained;

    ClientConnection(EngineRunner engine, ConnectionRegistry registry, int verbose) {
        this.engine = engine;
        this.registry = registry;
        this.verbose = verbose;
    }

    private void log(String what) {
        System.err.println(ctx.channel().remoteAddress() + " " + what);
    }

    // ------------------------------------------------------------ inbound (event loop)

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.out = new ReplyWriter(ctx);
        this.flusher = registry.flusher(ctx.executor());
        this.submitter = registry.submitter(ctx.executor(), engine);
        registry.add(ctx.channel());
        if (verbose > 0) {
            log("accepted");
        }
        CommandDecoder decoder = ctx.pipeline().get(CommandDecoder.class);
        if (decoder != null) {
            decoder.deliverTo(this::command);
        }
        engine.open(client);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        command((Command) msg);
    }

    /** A decoded command (straight from the {@link CommandDecoder}, see channelActive). */
    private void command(Command cmd) {
        if (verbose > 1) {
            log("< " + cmd);
        }
        int w = COMMAND_WEIGHT + bodyLength(cmd);
        batch.add(cmd);
        weights.addInt(w);
        outstanding += w;
    }

    /** Every command that carries a body weighs it, so no body-carrying command slips past the input limit. */
    static int bodyLength(Command cmd) {
        if (cmd instanceof Command.Put p) {
            return p.body().length;
        }
        if (cmd instanceof Command.PutEx p) {
            return p.body().length;
        }
        return cmd instanceof Command.ScheduleAdd a ? a.body().length : 0;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        submitBatch();
        if (outstanding > HIGH_WATER) {
            ctx.channel().config().setAutoRead(false);
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            abandonPut(ctx);
            submitBatch();
            if (submitter != null) {
                submitter.flush(); // first: this connection's commands go before its own event
            }
            engine.inputClosed(client);
        }
        ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        gone = true;
        if (verbose > 0) {
            log("closed");
        }
        abandonPut(ctx);
        submitBatch();
        if (submitter != null) {
            submitter.flush(); // first: this connection's commands go before its own event
        }
        engine.closed(client);
        ctx.fireChannelInactive();
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (ctx.channel().isWritable()) {
            drain();
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // A reset peer is routine; anything else is a bug worth seeing, but never worth the broker.
        if (!(cause instanceof IOException)) {
            System.getLogger("sluice").log(System.Logger.Level.WARNING, "closing connection", cause);
        }
        ctx.close();
    }

    private void abandonPut(ChannelHandlerContext ctx) {
        CommandDecoder decoder = ctx.pipeline().get(CommandDecoder.class);
        Command abandoned = decoder == null ? null : decoder.abandonInput();
        if (abandoned != null) {
            batch.add(abandoned);
            weights.addInt(0);
        }
    }

    private void submitBatch() {
        if (!batch.isEmpty()) {
            submitter.add(client, batch);
            batch = new ArrayList<>();
        }
    }

    // ------------------------------------------------------------ outbound (engine thread)

    @Override
    public void send(Reply reply) {
        pending.add(reply);
    }

    @Override
    public void flush() {
        publish();
        scheduleDrain();
    }

    @Override
    public void close() {
        publish(); // before the flag: a loop that sees the flag then sees every reply
        closeRequested = true;
        scheduleDrain();
    }

    private void publish() {
        if (!pending.isEmpty()) {
            outbox.offer(pending);
            pending = new ArrayList<>();
        }
    }

    private void scheduleDrain() {
        if (flusher != null && drainScheduled.compareAndSet(false, true)) {
            flusher.schedule(this);
        }
    }

    /** Run by this connection's {@link LoopFlusher} on the event loop. */
    void drainFromFlusher() {
        drain();
    }

    // ------------------------------------------------------------ outbound (event loop)

    private void drain() {
        drainScheduled.set(false);
        boolean closing = closeRequested; // read before polling: every reply sent before close() is then visible
        int answered = 0;
        out.begin(gone);
        Reply r;
        // Encode only while the socket keeps up: a client that does not read its replies keeps them here, as
        // small objects sharing job bodies, and its input stays paused by the outstanding-weight limit.
        while ((gone || ctx.channel().isWritable()) && (r = nextReply()) != null) {
            answered++;
            if (verbose > 1) {
                log("> " + r);
            }
            byte[] body = ReplyEncoder.body(r);
            boolean copied = body != null && body.length <= COPY_LIMIT;
            ByteBuf buf = out.room(ReplyEncoder.headSize(r) + (copied ? body.length + 2 : 2));
            ReplyEncoder.encodeHead(r, buf);
            if (body != null) {
                if (copied) {
                    buf.writeBytes(body);
                } else {
                    out.sendOwn(Unpooled.wrappedBuffer(body));
                    buf = out.room(2);
                }
                ReplyEncoder.encodeBodyEnd(buf);
            }
            if (out.encoded() >= CHUNK) {
                out.send();
            }
        }
        out.end();
        if (answered > 0) {
            for (int i = 0; i < answered && !weights.isEmpty(); i++) {
                outstanding -= weights.pollInt();
            }
            if (outstanding <= LOW_WATER && !gone && !ctx.channel().config().isAutoRead()) {
                ctx.channel().config().setAutoRead(true);
            }
        }
        if (closing && draining == null && outbox.isEmpty()) {
            ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private Reply nextReply() {
        while (true) {
            if (draining != null) {
                if (drained < draining.size()) {
                    return draining.get(drained++);
                }
                draining = null;
            }
            draining = outbox.poll();
            drained = 0;
            if (draining == null) {
                return null;
            }
        }
    }
}
