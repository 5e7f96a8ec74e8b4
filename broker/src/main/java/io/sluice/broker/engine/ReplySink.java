package io.sluice.broker.engine;

import io.sluice.broker.protocol.Reply;

/**
 * Where the engine puts one connection's replies. The server implements it over a Netty channel; tests record.
 *
 * <p>Thread rule: called on the engine thread only; implementations hand the replies to their own thread.
 * Replies are delivered in call order; {@link #flush} marks the end of a batch (one socket write per batch).
 */
public interface ReplySink {
    void send(Reply reply);

    /** Makes the replies sent so far go out; called once per engine cycle per connection that got replies. */
    void flush();

    /** Closes the connection after every reply sent so far has been written. */
    void close();
}
