package io.sluice.client;

import java.io.IOException;

/**
 * One command ready for the wire, and how to turn its reply into a result (or an exception). Immutable; thread rule:
 * any thread.
 *
 * <p>Most commands are kept as their encoded bytes. A hot command ({@code put}) subclasses this to keep its fields
 * instead, encode them straight into the connection's buffer ({@link #writeTo}) and build its {@link #text} only
 * when a message needs it.
 */
class Request<T> {
    static final long UNBOUNDED = -1;

    private final String text;
    private final byte[] wire;
    private final long waitMs;
    private final Decoder<T> decoder;
    private final boolean unreadBodyOnUnknown;

    /**
     * @param text    the command line without CRLF (and without the body), for messages
     * @param wire    every byte to send
     * @param waitMs  how long the broker may legitimately hold the reply on top of the read timeout (a reserve's
     *                timeout); {@link #UNBOUNDED} for a plain {@code reserve}
     * @param decoder the reply's meaning
     * @param unreadBodyOnUnknown whether an {@code UNKNOWN_COMMAND} reply means the broker did not read the body
     *                that followed the line and will take it for commands (a Sluice body command sent to
     *                beanstalkd): the connection is then out of step and must be dropped
     */
    Request(String text, byte[] wire, long waitMs, Decoder<T> decoder, boolean unreadBodyOnUnknown) {
        this.text = text;
        this.wire = wire;
        this.waitMs = waitMs;
        this.decoder = decoder;
        this.unreadBodyOnUnknown = unreadBodyOnUnknown;
    }

    Request(String text, byte[] wire, long waitMs, Decoder<T> decoder) {
        this(text, wire, waitMs, decoder, false);
    }

    /** For a subclass that overrides {@link #text}, {@link #writeTo} and {@link #decode}. */
    Request(long waitMs) {
        this(null, null, waitMs, null, false);
    }

    /** The command line without CRLF (and without the body), for messages. */
    String text() {
        return text;
    }

    long waitMs() {
        return waitMs;
    }

    /** How many bytes {@link #writeTo} appends, or a little more. */
    int size() {
        return wire.length;
    }

    /** Appends every byte of the command to {@code out}. */
    void writeTo(Output out) throws IOException {
        out.write(wire);
    }

    /** Whether, after {@code reply}, later replies on the connection no longer match later commands. */
    boolean outOfStep(Reply reply) {
        return unreadBodyOnUnknown && reply.line().equals("UNKNOWN_COMMAND");
    }

    /** Turns a reply into a result, updating the session's use/watch view on success, or throws. */
    @FunctionalInterface
    interface Decoder<T> {
        T decode(Reply reply, Session session);
    }

    T decode(Reply reply, Session session) {
        return decoder.decode(reply, session);
    }

    /** The socket read timeout for this command in ms (0 = none), given the configured read timeout. */
    int readTimeoutMs(long configuredMs) {
        if (configuredMs == 0 || waitMs == UNBOUNDED) {
            return 0;
        }
        long t = configuredMs + waitMs;
        return t > Integer.MAX_VALUE ? 0 : (int) t;
    }

    @Override
    public String toString() {
        return text();
    }
}
