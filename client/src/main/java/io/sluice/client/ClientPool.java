package io.sluice.client;

import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedDeque;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bounded pool of {@link BeanstalkClient}s for multi-threaded producers: each borrower has a connection to itself
 * until it gives it back. Connections are opened lazily, at most {@code maxSize}, and reused.
 *
 * <p><b>Thread rule: thread-safe.</b> A borrowed client is used by the borrowing thread only.
 *
 * <p>Every connection of the pool uses the pool's tube ({@code default} unless set): a borrower may {@code use} another
 * tube, and the pool switches the connection back when it is returned. The watch list is not reset: the pool is for
 * producing; workers want one dedicated connection each (see {@link Worker}). A connection that was lost mid-lease
 * is kept (it reconnects on its next call); a closed one is dropped.
 *
 * <pre>{@code
 * try (ClientPool pool = ClientPool.create(config, 8)) {
 *     long id = pool.withClient(c -> c.put(body));
 *     try (ClientPool.Lease lease = pool.borrow()) {
 *         lease.client().put(other);
 *     }
 * }
 * }</pre>
 */
public final class ClientPool implements AutoCloseable {
    private final ClientConfig config;
    private final String tube;
    private final Duration borrowTimeout;
    private final Semaphore slots;
    private final ConcurrentLinkedDeque<BeanstalkClient> idle = new ConcurrentLinkedDeque<>();
    private final AtomicInteger created = new AtomicInteger();
    private volatile boolean closed;

    private ClientPool(ClientConfig config, int maxSize, String tube, Duration borrowTimeout) {
        if (maxSize < 1) {
            throw new IllegalArgumentException("maxSize: " + maxSize + " is below 1");
        }
        this.config = config;
        this.tube = Protocol.tube(tube);
        this.borrowTimeout = borrowTimeout;
        this.slots = new Semaphore(maxSize, true);
    }

    /** A pool of at most {@code maxSize} connections using tube {@code default}; borrowers wait up to 30 s. */
    public static ClientPool create(ClientConfig config, int maxSize) {
        return create(config, maxSize, Session.DEFAULT_TUBE, Duration.ofSeconds(30));
    }

    /** A pool whose connections use {@code tube}, whose borrowers wait at most {@code borrowTimeout}. */
    public static ClientPool create(ClientConfig config, int maxSize, String tube, Duration borrowTimeout) {
        return new ClientPool(config, maxSize, tube, borrowTimeout);
    }

    /** A function of a borrowed client. */
    @FunctionalInterface
    public interface ClientFunction<T> {
        T apply(BeanstalkClient client);
    }

    /** Runs {@code fn} with a borrowed client and gives it back, whatever happens. */
    public <T> T withClient(ClientFunction<T> fn) {
        try (Lease lease = borrow()) {
            return fn.apply(lease.client());
        }
    }

    /**
     * Borrows a connection, opening one if none is idle and the pool is not full, else waiting for one.
     *
     * @throws BeanstalkException       if none is free within the borrow timeout, or the wait is interrupted
     * @throws ConnectionLostException if a new connection cannot be opened
     */
    public Lease borrow() {
        if (closed) {
            throw new IllegalStateException("pool is closed");
        }
        try {
            if (!slots.tryAcquire(borrowTimeout.toNanos(), TimeUnit.NANOSECONDS)) {
                throw new BeanstalkException("no pooled connection to " + Wire.where(config) + " became free within "
                        + borrowTimeout);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new BeanstalkException("interrupted while waiting for a pooled connection", e);
        }
        try {
            BeanstalkClient c = idle.pollFirst();
            if (c == null) {
                c = BeanstalkClient.connect(config);
                created.incrementAndGet();
                if (!tube.equals(Session.DEFAULT_TUBE)) {
                    c.use(tube);
                }
            }
            return new Lease(c);
        } catch (RuntimeException e) {
            slots.release();
            throw e;
        }
    }

    /** How many connections the pool has opened so far. */
    public int connectionsCreated() {
        return created.get();
    }

    /** Closes idle connections now, and borrowed ones as they are returned. Idempotent. */
    @Override
    public void close() {
        closed = true;
        BeanstalkClient c;
        while ((c = idle.pollFirst()) != null) {
            c.close();
        }
    }

    private void giveBack(BeanstalkClient c) {
        try {
            if (closed || c.isClosed()) {
                c.close();
                return;
            }
            if (!c.usedTube().equals(tube)) {
                try {
                    c.use(tube);
                } catch (BeanstalkException e) {
                    c.close(); // its state is unknown: drop it rather than hand it on
                    return;
                }
            }
            idle.addFirst(c);
            if (closed && idle.remove(c)) {
                c.close();
            }
        } finally {
            slots.release();
        }
    }

    /** A borrowed client; {@link #close()} gives it back. Borrowing thread only; close once. */
    public final class Lease implements AutoCloseable {
        private final BeanstalkClient client;
        private final AtomicBoolean returned = new AtomicBoolean();

        private Lease(BeanstalkClient client) {
            this.client = client;
        }

        public BeanstalkClient client() {
            if (returned.get()) {
                throw new IllegalStateException("lease already returned");
            }
            return client;
        }

        @Override
        public void close() {
            if (returned.compareAndSet(false, true)) {
                giveBack(client);
            }
        }
    }
}
