package io.sluice.broker.server;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundBuffer;
import io.netty.channel.unix.UnixChannel;
import io.netty.channel.unix.Socket;
import io.netty.util.concurrent.FastThreadLocal;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where one drain of a connection's replies goes. While nothing waits in Netty's outbound buffer (a client that
 * reads its replies: nearly always), the replies are encoded into one scratch buffer of the event loop and sent to
 * the socket from there, as Netty would send them, but without a pooled buffer, an outbound entry and a pass
 * through the pipeline's flush for every drain: with one command in flight per connection that was a tenth of the
 * loop's own (user-space) time. Whatever the socket does not take at once, and everything after it in the same
 * drain, goes the usual way, through the channel, so the order holds and Netty's write-readiness and writability
 * take over from there.
 *
 * <p>The scratch buffer is empty whenever this calls into Netty, so a drain that Netty's callbacks start inside
 * another (a writability change during the flush) cannot see the outer one's bytes.
 *
 * <p>Thread rule: the connection's event loop only.
 */
final class ReplyWriter {
    /** The most one drain encodes before it sends: ClientConnection's chunk plus one reply with a copied body. */
    static final int CAPACITY = 96 * 1024;

    /** One per event loop; a JDK direct buffer, freed by the collector with its thread. */
    private static final FastThreadLocal<Scratch> SCRATCH = new FastThreadLocal<>() {
        @Override
        protected Scratch initialValue() {
            return new Scratch();
        }
    };

    private static final class Scratch {
        final ByteBuffer nio = ByteBuffer.allocateDirect(CAPACITY);
        final ByteBuf buf = Unpooled.wrappedBuffer(nio).clear();
    }

    private final ChannelHandlerContext ctx;
    /** The channel's socket, or null (not the epoll transport): then every drain goes through the channel. */
    private final Socket socket;
    /** This drain sends from the scratch buffer itself. */
    private boolean direct;
    private Scratch scratch;
    /** Channel mode: the buffer being filled, or null. */
    private ByteBuf pooled;
    /** Something was written to the channel in this drain: it needs a flush. */
    private boolean written;

    ReplyWriter(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.socket = ctx.channel() instanceof UnixChannel e && e.fd() instanceof Socket s ? s : null;
    }

    /** Starts a drain; {@code gone}: the channel is closed, whatever is written is only released. */
    void begin(boolean gone) {
        written = false;
        pooled = null;
        ChannelOutboundBuffer queued = socket == null || gone ? null : ctx.channel().unsafe().outboundBuffer();
        direct = queued != null && queued.isEmpty() && ctx.channel().isActive();
        scratch = direct ? SCRATCH.get() : null;
    }

    /** The buffer to encode the next reply into, with room for {@code bytes} (at most a chunk plus a copied body). */
    ByteBuf room(int bytes) {
        if (direct) {
            if (scratch.buf.writableBytes() < bytes) {
                send();
            }
            if (direct) {
                return scratch.buf;
            }
        }
        if (pooled == null) {
            pooled = ctx.alloc().ioBuffer(Math.max(1024, bytes));
        }
        return pooled;
    }

    /** Bytes encoded so far and not yet handed on. */
    int encoded() {
        return direct ? scratch.buf.readableBytes() : pooled == null ? 0 : pooled.readableBytes();
    }

    /** Hands on what is encoded so far: to the socket, or to the channel. */
    void send() {
        if (direct) {
            ByteBuf b = scratch.buf;
            try {
                while (b.isReadable()) {
                    int n = socket.send(scratch.nio, b.readerIndex(), b.writerIndex());
                    if (n <= 0) {
                        break; // the socket is full: the rest waits in the channel for write readiness
                    }
                    b.skipBytes(n);
                }
            } catch (IOException e) {
                // as Netty does with a failed write: close, and let what follows be released by the closed channel
                b.clear();
                direct = false;
                ctx.close();
                return;
            }
            if (b.isReadable()) {
                ByteBuf rest = ctx.alloc().ioBuffer(b.readableBytes());
                rest.writeBytes(b);
                b.clear();
                direct = false;
                write(rest);
            } else {
                b.clear();
            }
        } else if (pooled != null) {
            ByteBuf b = pooled;
            pooled = null;
            write(b);
        }
    }

    /** Writes a buffer of its own (a large body, not copied) after what is encoded so far. */
    void sendOwn(ByteBuf own) {
        send();
        direct = false;
        write(own);
    }

    /** Ends the drain: hands on the rest and flushes the channel if it was used. */
    void end() {
        send();
        scratch = null;
        if (written) {
            written = false;
            ctx.flush();
        }
    }

    private void write(ByteBuf b) {
        written = true;
        ctx.write(b, ctx.voidPromise());
    }
}
