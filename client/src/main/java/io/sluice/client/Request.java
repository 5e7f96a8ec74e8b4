package io.sluice.client;

/**
 * One command ready for the wire, and how to turn its reply into a result (or an exception). Immutable.
 *
 * @param text    the command line without CRLF (and without the body), for messages
 * @param wire    every byte to send
 * @param waitMs  how long the broker may legitimately hold the reply on top of the read timeout (a reserve's
 *                timeout); {@link #UNBOUNDED} for a plain {@code reserve}
 * @param decoder the reply's meaning
 * @param unreadBodyOnUnknown whether an {@code UNKNOWN_COMMAND} reply means the broker did not read the body that
 *                followed the line and will take it for commands (a Sluice body command sent to beanstalkd): the
 *                connection is then out of step and must be dropped
 */
record Request<T>(String text, byte[] wire, long waitMs, Decoder<T> decoder, boolean unreadBodyOnUnknown) {
    static final long UNBOUNDED = -1;

    Request(String text, byte[] wire, long waitMs, Decoder<T> decoder) {
        this(text, wire, waitMs, decoder, false);
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
}
