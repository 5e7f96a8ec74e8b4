package io.sluice.broker.protocol;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.ByteToMessageDecoder;

import java.util.AbstractList;
import java.util.List;
import java.util.function.Consumer;

/**
 * Bytes to {@link Command}s: beanstalkd's per-connection state machine ({@code STATE_WANT_COMMAND}, {@code
 * WANT_DATA}, {@code WANT_ENDLINE}, {@code BITBUCKET}) as a Netty decoder.
 *
 * <ul>
 *   <li>LINE: find CRLF within the first {@value ProtocolLimits#MAX_LINE} bytes (the scan resumes where it
 *       stopped); a longer line switches to DISCARD_LINE.</li>
 *   <li>BODY: {@code put <pri> <delay> <ttr> <bytes>\r\n <here> body\r\n}, copied once into an array of the
 *       declared size as it arrives, never re-scanned.</li>
 *   <li>DISCARD_LINE: drop bytes up to the next CRLF, then answer BAD_FORMAT.</li>
 *   <li>DISCARD_BODY: drop {@code bytes + 2} bytes of a too-big put, then answer JOB_TOO_BIG.</li>
 *   <li>CLOSED: after {@code quit}, everything is ignored.</li>
 * </ul>
 *
 * <p>Thread rule: one instance per channel (not sharable), its event loop only.
 */
public final class CommandDecoder extends ByteToMessageDecoder {

    private enum State { LINE, BODY, DISCARD_LINE, DISCARD_BODY, CLOSED }

    private static final Command BAD_LINE = new Command.Invalid(Reply.BAD_FORMAT, Command.Counted.NONE);
    private static final Command TOO_BIG = new Command.Invalid(Reply.JOB_TOO_BIG, Command.Counted.PUT);
    private static final Command BAD_BODY = new Command.PutBadBody();
    private static final Command TOO_BIG_OTHER = new Command.Invalid(Reply.JOB_TOO_BIG, Command.Counted.NONE);
    private static final Command BAD_BODY_OTHER = new Command.Invalid(Reply.EXPECTED_CRLF, Command.Counted.NONE);

    private final CommandParser parser;
    private final byte[] line = new byte[ProtocolLimits.MAX_LINE];
    private State state = State.LINE;
    /** LINE: bytes of the pending line already searched for LF. */
    private int scanned;
    /** DISCARD_LINE: whether the last discarded byte was CR (a CRLF may straddle two reads). */
    private boolean lastWasCr;
    /** DISCARD_BODY: bytes still to drop. */
    private long discardLeft;
    /** BODY: the job body being filled and how many of its bytes + CRLF have arrived. */
    private byte[] body;
    private int bodyFilled;
    private boolean crlfOk;

    /** Where decoded commands go instead of down the pipeline (see {@link #deliverTo}), as a list to add to. */
    private List<Object> sink;

    public CommandDecoder(long maxJobSize) {
        this.parser = new CommandParser(maxJobSize);
    }

    /**
     * Hands each decoded command to {@code next} as soon as it is decoded, in order, instead of firing it down the
     * pipeline: the handler after this one gets the same commands without a pipeline pass for each (with one
     * command per read, that pass cost about as much as decoding the command).
     */
    public void deliverTo(Consumer<? super Command> next) {
        sink = new AbstractList<>() {
            @Override
            public boolean add(Object cmd) {
                next.accept((Command) cmd);
                return true;
            }

            @Override
            public Object get(int index) {
                throw new IndexOutOfBoundsException(index); // never holds anything
            }

            @Override
            public int size() {
                return 0;
            }
        };
    }

    /**
     * Called when the input ends: if a put body was still arriving (or a too-big one being skipped), returns the
     * command (once) that lets the engine account for the abandoned put, else null; the decoder then ignores
     * anything more.
     */
    public Command abandonInput() {
        boolean put = parser.pendingIsPut();
        Command abandoned = state == State.BODY && put ? new Command.PutAbandoned()
                : state == State.DISCARD_BODY && put ? new Command.PutTooBigAbandoned() : null;
        state = State.CLOSED;
        body = null;
        return abandoned;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> decoded) {
        List<Object> out = sink != null ? sink : decoded;
        for (;;) {
            boolean progress;
            switch (state) {
                case LINE:
                    progress = decodeLine(in, out);
                    break;
                case BODY:
                    progress = decodeBody(in, out);
                    break;
                case DISCARD_LINE:
                    progress = discardLine(in, out);
                    break;
                case DISCARD_BODY:
                    progress = discardBody(in, out);
                    break;
                default:
                    in.skipBytes(in.readableBytes());
                    return;
            }
            if (!progress || !in.isReadable()) {
                return;
            }
        }
    }

    private boolean decodeLine(ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        int limit = Math.min(in.readableBytes(), ProtocolLimits.MAX_LINE);
        int from = scanned;
        while (from < limit) {
            int lf = in.indexOf(start + from, start + limit, (byte) '\n');
            if (lf < 0) {
                break;
            }
            int rel = lf - start;
            if (rel > 0 && in.getByte(lf - 1) == '\r') {
                int len = rel - 1;
                in.getBytes(start, line, 0, len);
                in.skipBytes(rel + 1);
                scanned = 0;
                onLine(len, out);
                return true;
            }
            from = rel + 1; // a lone LF is not a terminator
        }
        if (in.readableBytes() >= ProtocolLimits.MAX_LINE) {
            // 224 bytes and no CRLF: too long. Drop what we have and resynchronise on the next CRLF.
            lastWasCr = in.getByte(start + ProtocolLimits.MAX_LINE - 1) == '\r';
            in.skipBytes(ProtocolLimits.MAX_LINE);
            scanned = 0;
            state = State.DISCARD_LINE;
            return true;
        }
        scanned = limit;
        return false;
    }

    private void onLine(int len, List<Object> out) {
        Command cmd = parser.parse(line, len);
        if (cmd != null) {
            out.add(cmd);
            if (cmd instanceof Command.Quit) {
                state = State.CLOSED;
            }
            return;
        }
        if (parser.putTooBig()) {
            discardLeft = parser.putBytes + 2;
            state = State.DISCARD_BODY;
            return;
        }
        body = new byte[(int) parser.putBytes];
        bodyFilled = 0;
        crlfOk = true;
        state = State.BODY;
    }

    // put <pri> <delay> <ttr> <bytes>\r\n <here> body\r\n
    private boolean decodeBody(ByteBuf in, List<Object> out) {
        int size = body.length;
        if (bodyFilled < size) {
            int n = Math.min(size - bodyFilled, in.readableBytes());
            in.readBytes(body, bodyFilled, n);
            bodyFilled += n;
        }
        while (bodyFilled >= size && bodyFilled < size + 2 && in.isReadable()) {
            byte b = in.readByte();
            crlfOk &= b == (bodyFilled == size ? '\r' : '\n');
            bodyFilled++;
        }
        if (bodyFilled < size + 2) {
            return false;
        }
        out.add(crlfOk ? parser.withBody(body) : parser.pendingIsPut() ? BAD_BODY : BAD_BODY_OTHER);
        body = null;
        state = State.LINE;
        return true;
    }

    private boolean discardLine(ByteBuf in, List<Object> out) {
        int start = in.readerIndex();
        int end = in.writerIndex();
        int lf = in.indexOf(start, end, (byte) '\n');
        while (lf >= 0) {
            boolean cr = lf > start ? in.getByte(lf - 1) == '\r' : lastWasCr;
            if (cr) {
                in.readerIndex(lf + 1);
                state = State.LINE;
                out.add(BAD_LINE);
                return true;
            }
            lf = in.indexOf(lf + 1, end, (byte) '\n');
        }
        lastWasCr = in.getByte(end - 1) == '\r';
        in.readerIndex(end);
        return false;
    }

    private boolean discardBody(ByteBuf in, List<Object> out) {
        int n = (int) Math.min(discardLeft, in.readableBytes());
        in.skipBytes(n);
        discardLeft -= n;
        if (discardLeft > 0) {
            return false;
        }
        out.add(parser.pendingIsPut() ? TOO_BIG : TOO_BIG_OTHER);
        state = State.LINE;
        return true;
    }
}
