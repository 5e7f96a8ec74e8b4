package io.sluice.client;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;

/**
 * Reserves jobs from tubes and runs a handler per tube, on {@code concurrency} connections at once.
 *
 * <pre>{@code
 * Worker worker = Worker.builder(config)
 *         .handle("emails", job -> send(job.bodyAsString()))
 *         .concurrency(4)
 *         .start();
 * worker.installShutdownHook();   // SIGTERM / SIGINT: finish in-flight jobs, then exit
 * }</pre>
 *
 * <p>Threads: each of the {@code concurrency} connection threads owns one {@link BeanstalkClient} (reservations
 * belong to a connection), watches every handled tube, and loops: {@code reserve-with-timeout} (so a shutdown is
 * noticed within {@code reserveTimeout}), {@code stats-job} once (tube, TTR, attempt count), then hands the job to a
 * handler thread and waits for it, touching the job on its own connection every TTR/2 while the handler runs. So a
 * handler may run past its TTR without the job going to another worker.
 *
 * <p>Outcome: the handler returns → {@code delete}. It throws → if the job's {@code reserves} count (its attempt
 * number: it also counts reservations that timed out, and those before a kick, so a kicked job that fails again is
 * buried at once) is below {@code maxAttempts}, {@code release} with delay
 * {@code min(backoffMax, backoffBase * 2^(attempt-1))} at the job's priority; otherwise {@code bury}. Delivery is at
 * least once: a job whose connection was lost while it ran may run again.
 *
 * <p>Connection loss: a connection thread whose command fails reports it to {@link WorkerListener#onError}, pauses
 * {@code reserveTimeout} and goes on; its client reconnects (per the config's reconnect settings, again and again
 * while the broker is down) and re-watches the tubes. Nothing is re-sent. A job whose connection was lost while it
 * ran has its outcome sent on the new connection: a delete still removes it unless another connection reserved it
 * meanwhile; a release, bury or touch answers NOT_FOUND (reported), and the job runs again.
 *
 * <p>Cancellation (Sluice, PROTOCOL.md §7.4): a job cancelled while it runs is learned of at its next touch (so
 * within TTR/2) or at its release or bury, which the broker answers {@code CANCELLED}. The job is then gone: the
 * worker stops touching it, <b>interrupts the handler thread</b> (Java's cancellation signal: {@code sleep},
 * {@code wait}, blocking queues and interruptible I/O throw; a handler doing other long work should check
 * {@link Thread#isInterrupted()}), waits for the handler to return, neither deletes, releases nor buries the job,
 * and reports {@link WorkerListener#onCancelled}. A handler that returns before the worker learns of the cancel has
 * its job deleted as usual (the broker counts it {@code completed}).
 *
 * <p>Shutdown: {@link #close()} stops reserving, lets every in-flight job finish (and be deleted, released or
 * buried), then closes the connections and returns. During an outage it does not wait out the reconnect budget of
 * threads that hold no job (they stop at once); a thread whose job finished still tries to acknowledge it. Thread
 * rule: the worker is thread-safe; do not call {@link #close()} from a handler (it would wait for itself).
 */
public final class Worker implements AutoCloseable {
    private final ClientConfig config;
    private final Map<String, JobHandler> handlers;
    private final Duration reserveTimeout;
    private final Duration backoffBase;
    private final Duration backoffMax;
    private final int maxAttempts;
    private final WorkerListener listener;
    private final List<Thread> slots = new ArrayList<>();
    private final ExecutorService handlerThreads;
    private final AtomicReference<Thread> hook = new AtomicReference<>();
    private volatile boolean running = true;

    private Worker(Builder b) {
        this.config = b.config;
        this.handlers = Map.copyOf(b.handlers);
        this.reserveTimeout = b.reserveTimeout;
        this.backoffBase = b.backoffBase;
        this.backoffMax = b.backoffMax;
        this.maxAttempts = b.maxAttempts;
        this.listener = b.listener;
        AtomicInteger n = new AtomicInteger();
        this.handlerThreads = Executors.newFixedThreadPool(b.concurrency,
                r -> new Thread(r, "sluice-handler-" + n.incrementAndGet()));
        for (int i = 1; i <= b.concurrency; i++) {
            slots.add(new Thread(this::connectionLoop, "sluice-worker-" + i));
        }
    }

    public static Builder builder(ClientConfig config) {
        return new Builder(Objects.requireNonNull(config, "config"));
    }

    /** Whether the worker still reserves jobs (false once shutdown began). */
    public boolean isRunning() {
        return running;
    }

    /** Stops reserving; returns at once. In-flight jobs finish; see {@link #awaitTermination}. */
    public void shutdown() {
        running = false;
    }

    /** Waits until every connection thread has finished; true if they did within {@code timeout}. */
    public boolean awaitTermination(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Thread t : slots) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return !anyAlive();
            }
            TimeUnit.NANOSECONDS.timedJoin(t, left);
        }
        if (anyAlive()) {
            return false;
        }
        handlerThreads.shutdown();
        return true;
    }

    /** Waits without limit until every connection thread has finished (after {@link #shutdown()}). */
    public void awaitTermination() throws InterruptedException {
        for (Thread t : slots) {
            t.join();
        }
        handlerThreads.shutdown();
    }

    /**
     * Graceful stop: stop reserving, finish in-flight jobs, close the connections. Returns when done (or when the
     * calling thread is interrupted, which it re-flags). Idempotent.
     */
    @Override
    public void close() {
        shutdown();
        try {
            awaitTermination();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        Thread h = hook.get();
        if (h != null && h != Thread.currentThread()) {
            try {
                Runtime.getRuntime().removeShutdownHook(h);
            } catch (IllegalStateException ignored) {
                // the JVM is already shutting down
            }
        }
    }

    /**
     * Closes this worker gracefully when the JVM shuts down, which is what SIGTERM and SIGINT (Ctrl-C) start: jobs
     * in flight finish before the process exits. Returns this worker.
     */
    public Worker installShutdownHook() {
        Thread h = new Thread(this::close, "sluice-worker-shutdown");
        if (hook.compareAndSet(null, h)) {
            Runtime.getRuntime().addShutdownHook(h);
        }
        return this;
    }

    private boolean anyAlive() {
        for (Thread t : slots) {
            if (t.isAlive()) {
                return true;
            }
        }
        return false;
    }

    private void start() {
        for (Thread t : slots) {
            t.start();
        }
    }

    // ---- connection threads

    private void connectionLoop() {
        // Once shutdown begins, a (re)connect of this thread stops at its next attempt, so close() need not wait out
        // the config's reconnect budget during an outage; except while it holds a job: the job ran, and its
        // delete (or release, bury) still gets the whole budget. Read and written on this thread only.
        AtomicBoolean holding = new AtomicBoolean();
        BooleanSupplier cancelled = () -> !running && !holding.get();
        BeanstalkClient client = null;
        boolean watching = false;
        try {
            while (running) {
                try {
                    if (client == null) {
                        client = BeanstalkClient.connect(config, cancelled);
                    }
                    if (!watching) {
                        for (String tube : handlers.keySet()) {
                            client.watch(tube);
                        }
                        if (!handlers.containsKey(Session.DEFAULT_TUBE)) {
                            client.ignore(Session.DEFAULT_TUBE);
                        }
                        watching = true;
                    }
                    Optional<Job> job = client.reserve(reserveTimeout);
                    if (job.isPresent()) {
                        holding.set(true);
                        try {
                            process(client, job.get());
                        } finally {
                            holding.set(false);
                        }
                    }
                } catch (RuntimeException e) { // BeanstalkException mostly; nothing may end the loop early
                    safely(() -> listener.onError(e));
                    pause();
                }
            }
        } finally {
            if (client != null) {
                client.close();
            }
        }
    }

    private void process(BeanstalkClient client, Job job) {
        JobStats stats;
        try {
            stats = client.statsJob(job.id());
        } catch (NotFoundException e) {
            safely(() -> listener.onError(e)); // deleted by someone else since: nothing to run
            return;
        }
        String tube = stats.tube();
        JobHandler handler = handlers.get(tube);
        if (handler == null) {
            client.release(job.id(), stats.pri(), Duration.ZERO);
            safely(() -> listener.onError(new BeanstalkException("reserved job " + job.id() + " of tube " + tube
                    + ", which has no handler; released")));
            return;
        }
        int attempt = (int) Math.min(Integer.MAX_VALUE, Math.max(1, stats.reserves()));
        safely(() -> listener.onReserved(tube, job, attempt));
        long started = System.nanoTime();
        HandlerRun handlerRun = new HandlerRun(handler, job);
        Future<?> run = handlerThreads.submit(handlerRun);
        long touchEveryNanos = Math.max(TimeUnit.MILLISECONDS.toNanos(100),
                TimeUnit.SECONDS.toNanos(Math.max(1, stats.ttr())) / 2);
        Throwable failure = null;
        boolean held = true;
        boolean cancelled = false;
        boolean interrupted = false;
        while (true) {
            try {
                run.get(touchEveryNanos, TimeUnit.NANOSECONDS);
                break;
            } catch (TimeoutException e) {
                if (held) {
                    try {
                        client.touch(job.id());
                        safely(() -> listener.onTouched(tube, job));
                    } catch (CancelledException ce) {
                        held = false; // the job is gone: nothing more to touch, delete, release or bury
                        cancelled = true;
                        handlerRun.interrupt();
                    } catch (BeanstalkException te) {
                        held = false; // the reservation is gone (TTR passed, or the connection): stop touching
                        safely(() -> listener.onError(te));
                    }
                }
            } catch (ExecutionException e) {
                failure = e.getCause();
                break;
            } catch (InterruptedException e) {
                interrupted = true; // a graceful worker finishes the job first
            }
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        Duration elapsed = Duration.ofNanos(System.nanoTime() - started);
        if (cancelled) {
            safely(() -> listener.onCancelled(tube, job));
            return;
        }
        if (failure == null) {
            client.delete(job.id());
            safely(() -> listener.onSuccess(tube, job, elapsed));
        } else if (attempt >= maxAttempts) {
            Throwable f = failure;
            try {
                client.bury(job.id(), stats.pri());
            } catch (CancelledException ce) {
                safely(() -> listener.onCancelled(tube, job));
                return;
            }
            safely(() -> listener.onBuried(tube, job, attempt, f));
        } else {
            Throwable f = failure;
            // release takes whole seconds (beanstalkd's command): report the delay the broker really applies
            Duration delay = ceilSeconds(backoff(backoffBase, backoffMax, attempt));
            try {
                client.release(job.id(), stats.pri(), delay);
            } catch (CancelledException ce) {
                safely(() -> listener.onCancelled(tube, job));
                return;
            } catch (BuriedException be) {
                // the broker buried it instead: a reserve limit (Sluice, PROTOCOL.md §7.7) or an expired TTL
                safely(() -> listener.onBuried(tube, job, attempt, f));
                return;
            }
            safely(() -> listener.onFailure(tube, job, attempt, f, delay));
        }
    }

    static Duration ceilSeconds(Duration d) {
        long s = d.getSeconds() + (d.getNano() > 0 ? 1 : 0);
        return Duration.ofSeconds(s);
    }

    /** {@code min(max, base * 2^(attempt-1))}. */
    static Duration backoff(Duration base, Duration max, int attempt) {
        int shift = Math.min(Math.max(attempt - 1, 0), 62);
        long nanos = base.toNanos();
        long cap = max.toNanos();
        for (int i = 0; i < shift && nanos < cap; i++) {
            nanos *= 2;
        }
        return Duration.ofNanos(Math.min(nanos, cap));
    }

    private void pause() {
        long until = System.nanoTime() + reserveTimeout.toNanos();
        while (running && System.nanoTime() < until) {
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException ignored) {
            // a listener must not break the worker
        }
    }

    /** Builder for {@link Worker}. Not thread-safe. */
    public static final class Builder {
        private final ClientConfig config;
        private final Map<String, JobHandler> handlers = new LinkedHashMap<>();
        private int concurrency = 1;
        private Duration reserveTimeout = Duration.ofSeconds(1);
        private Duration backoffBase = Duration.ofSeconds(1);
        private Duration backoffMax = Duration.ofMinutes(5);
        private int maxAttempts = 5;
        private WorkerListener listener = new WorkerListener() {
        };

        private Builder(ClientConfig config) {
            this.config = config;
        }

        /** Runs {@code handler} for jobs of {@code tube} (the worker watches it). */
        public Builder handle(String tube, JobHandler handler) {
            Objects.requireNonNull(handler, "handler");
            if (handlers.putIfAbsent(Protocol.tube(tube), handler) != null) {
                throw new IllegalArgumentException("tube " + tube + " has a handler already");
            }
            return this;
        }

        /** Connections (and jobs) at once; default 1. */
        public Builder concurrency(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("concurrency: " + n + " is below 1");
            }
            this.concurrency = n;
            return this;
        }

        /**
         * How long one reserve waits before checking for shutdown (whole seconds, at least 1); default 1 s. Also the
         * pause after a connection error.
         */
        public Builder reserveTimeout(Duration d) {
            if (d == null || d.compareTo(Duration.ofSeconds(1)) < 0) {
                throw new IllegalArgumentException("reserveTimeout: " + d + " is below 1 s");
            }
            this.reserveTimeout = d;
            return this;
        }

        /**
         * Delay of the first retry, doubling per attempt up to {@code max}; defaults 1 s and 5 min. Each delay is
         * rounded up to whole seconds, as beanstalkd's {@code release} takes them (so it works on both brokers);
         * {@link WorkerListener#onFailure} reports the rounded delay.
         */
        public Builder retryBackoff(Duration base, Duration max) {
            if (base == null || max == null || base.isNegative() || max.compareTo(base) < 0) {
                throw new IllegalArgumentException("retryBackoff: need 0 <= base <= max, got " + base + ", " + max);
            }
            this.backoffBase = base;
            this.backoffMax = max;
            return this;
        }

        /** Attempts (reserves) before a failing job is buried; default 5. */
        public Builder maxAttempts(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxAttempts: " + n + " is below 1");
            }
            this.maxAttempts = n;
            return this;
        }

        public Builder listener(WorkerListener l) {
            this.listener = Objects.requireNonNull(l, "listener");
            return this;
        }

        /** Builds the worker and starts its connection threads. */
        public Worker start() {
            if (handlers.isEmpty()) {
                throw new IllegalStateException("no handler: call handle(tube, handler) first");
            }
            Worker w = new Worker(this);
            w.start();
            return w;
        }
    }

    /**
     * One handler call that the connection thread can interrupt while, and only while, it runs: an interrupt never
     * reaches the pool thread's next job. Runs on a handler thread; {@link #interrupt} from the connection thread.
     */
    private static final class HandlerRun implements Callable<Void> {
        private final JobHandler handler;
        private final Job job;
        /** Guarded by this. */
        private Thread runner;
        /** Guarded by this. */
        private boolean interruptRequested;

        HandlerRun(JobHandler handler, Job job) {
            this.handler = handler;
            this.job = job;
        }

        @Override
        public Void call() throws Exception {
            synchronized (this) {
                if (interruptRequested) {
                    return null; // cancelled before it started: nothing to stop
                }
                runner = Thread.currentThread();
            }
            try {
                handler.handle(job);
                return null;
            } finally {
                synchronized (this) {
                    runner = null;
                    Thread.interrupted(); // clear ours, so the next job does not start interrupted
                }
            }
        }

        synchronized void interrupt() {
            interruptRequested = true;
            if (runner != null) {
                runner.interrupt();
            }
        }
    }
}
