package io.sluice.broker.engine;

import io.sluice.broker.protocol.Command;
import org.agrona.concurrent.ManyToOneConcurrentLinkedQueue;

import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;

/**
 * What runs the engine, and its front door. Event loops post connection events here; each cycle applies them to the
 * {@link Engine} in arrival order, fires timers and flushes each touched connection once. The cycles run on one
 * thread, either way, so the engine keeps a single owner and needs no locks:
 * <ul>
 *   <li>{@link #start}: a thread of its own, which parks until the next event or timer when idle (no spinning: the
 *       machine's cores belong to the event loops);</li>
 *   <li>{@link #startOn}: tasks of one executor, the network event loop (Aeron's shared threading mode): a loop pass
 *       reads commands, runs a cycle and writes the replies, with no hand-off between threads.</li>
 * </ul>
 *
 * <p>Thread rule: the posting methods ({@link #open}, {@link #submitAll}, {@link #inputClosed}, {@link #closed},
 * {@link #drain}, {@link #wake}, {@link #stop}) are thread-safe; events of one connection must come from one thread
 * (its event loop) so they stay in order. {@link #start} or {@link #startOn} once, from the starting thread.
 */
public final class EngineRunner {
    private static final long MAX_PARK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long STALL_NANOS = TimeUnit.MICROSECONDS.toNanos(200);
    private static final int OPEN = 0;
    private static final int COMMANDS = 1;
    private static final int INPUT_CLOSED = 2;
    private static final int CLOSED = 3;
    private static final int DRAIN = 4;

    private record Event(int kind, Client client, Batches batches) { }

    /**
     * Command batches of one loop pass: {@code commands.get(i)} belongs to {@code clients.get(i)}. The poster may
     * watch {@link #applied()}: true once the engine has applied them all and handed out the replies it could give
     * at once (replies that wait for the log or for a job come later).
     *
     * <p>Thread rule: created by the posting thread; {@link #applied()} from any thread.
     */
    public static final class Batches {
        private final List<Client> clients;
        private final List<List<Command>> commands;
        private volatile boolean applied;

        private Batches(List<Client> clients, List<List<Command>> commands) {
            this.clients = clients;
            this.commands = commands;
        }

        public boolean applied() {
            return applied;
        }
    }

    private final Engine engine;
    private final Clock clock;
    private final ManyToOneConcurrentLinkedQueue<Event> inbox = new ManyToOneConcurrentLinkedQueue<>();
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile boolean running = true;
    private volatile boolean parked;

    public EngineRunner(Engine engine, Clock clock) {
        this.engine = engine;
        this.clock = clock;
        this.thread = new Thread(this::run, "sluice-engine");
    }

    public void start() {
        thread.start();
    }

    /**
     * Instead of {@link #start}: the engine's cycles run as tasks of {@code host} (one thread, such as the only
     * network event loop) and no engine thread is started. Every cycle still runs on that one thread, so the engine
     * keeps a single owner; what goes is the hand-off between two threads on every command.
     */
    public void startOn(ScheduledExecutorService host) {
        this.host = host;
        host.execute(() -> HOSTED.set(this));
        schedule();
    }

    /** The runner whose cycles this thread hosts ({@link #startOn}), or null. */
    private static final ThreadLocal<EngineRunner> HOSTED = new ThreadLocal<>();

    /** Called on a host thread: the engine it hosts, or null. */
    public static EngineRunner hostedHere() {
        return HOSTED.get();
    }

    /** Host thread only: replies wait for the log's fsync, whose end will post a cycle to this thread. */
    public boolean awaitingLog() {
        return engine.awaitsDurability();
    }

    public void open(Client c) {
        post(new Event(OPEN, c, null));
    }

    /**
     * Command batches of one or more connections, each decoded from one read, in order: {@code commands.get(i)}
     * belongs to {@code clients.get(i)}. Both lists are handed over and must not be touched again.
     */
    public Batches submitAll(List<Client> clients, List<List<Command>> commands) {
        Batches b = new Batches(clients, commands);
        post(new Event(COMMANDS, null, b));
        return b;
    }

    public void inputClosed(Client c) {
        post(new Event(INPUT_CLOSED, c, null));
    }

    public void closed(Client c) {
        post(new Event(CLOSED, c, null));
    }

    public void drain() {
        post(new Event(DRAIN, null, null));
    }

    /** The log made more records durable: wake up to release the replies waiting for them. */
    public void wake() {
        wakeOnce();
    }

    /**
     * Stops the thread after it has applied what was posted before; waits for it. Hosted, the last cycle runs on
     * the host, or on the calling thread once the host has stopped (then no other thread runs cycles).
     */
    public void stop() throws InterruptedException {
        running = false;
        ScheduledExecutorService h = host;
        if (h != null) {
            if (h.isShutdown() || !lastCycleOn(h)) {
                h.awaitTermination(10, TimeUnit.SECONDS);
                lastCycle();
            }
            return;
        }
        LockSupport.unpark(thread);
        stopped.await(10, TimeUnit.SECONDS);
    }

    /** Runs the last cycle on a live host; false if it refused (stopping: Netty says isShutdown only once it has). */
    private boolean lastCycleOn(ScheduledExecutorService h) throws InterruptedException {
        FutureTask<Void> last = new FutureTask<>(this::lastCycle, null);
        try {
            h.execute(last);
        } catch (RejectedExecutionException shuttingDown) {
            return false;
        }
        try {
            last.get(10, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("the engine's last cycle failed", e);
        }
        return true;
    }

    private void post(Event e) {
        inbox.offer(e);
        wakeOnce();
    }

    // ------------------------------------------------------------ hosted cycles (startOn)

    /** The executor running the cycles (set once, before the first), or null for the engine's own thread. */
    private volatile ScheduledExecutorService host;
    /** A cycle is queued on the host and has not started: posts need not queue another. */
    private volatile boolean cycleQueued;
    /** Host thread only: the earliest deadline a timer task is queued for. */
    private long timerAt = Long.MAX_VALUE;
    private final Runnable cycleTask = this::hostedCycle;
    /** Host thread only: a stall timer is queued. */
    private boolean stallTimer;
    private final Runnable timerTask = this::timerFired;
    private final Runnable stallTask = () -> {
        stallTimer = false;
        schedule();
    };

    private void schedule() {
        ScheduledExecutorService h = host;
        if (h != null && !cycleQueued && CYCLE_QUEUED.compareAndSet(this, false, true)) {
            try {
                h.execute(cycleTask);
            } catch (RejectedExecutionException shuttingDown) {
                cycleQueued = false; // the host stopped: stop() runs the last cycle itself
            }
        }
    }

    private void hostedCycle() {
        cycleQueued = false; // before reading the inbox: a post after this queues the next cycle
        long next = Long.MAX_VALUE;
        try {
            drainInbox();
            next = finishCycle();
        } finally {
            // Even after a cycle that threw (the host logs it and runs on): the timers and the rest of the inbox
            // must not wait for some client's next command.
            rearm(next);
        }
    }

    private void timerFired() {
        if (timerAt <= clock.nanos()) {
            timerAt = Long.MAX_VALUE;
        }
        schedule();
    }

    private void rearm(long next) {
        if (current != null) {
            // waiting for the log's next segment: it wakes us when ready; look again meanwhile, as the thread does
            // (one such timer at a time: every cycle of a long stall, a full disk's, would otherwise add one)
            if (!stallTimer) {
                stallTimer = true;
                host.schedule(stallTask, STALL_NANOS, TimeUnit.NANOSECONDS);
            }
        } else if (!inbox.isEmpty() || engine.releasable()) {
            schedule(); // the bound on events per cycle stopped it: the rest goes in a later task
        }
        // The next deadline (capped as the thread's park is); an earlier timer already queued covers it, and one
        // that fires for nothing only runs an empty cycle.
        long at = Math.min(next, clock.nanos() + MAX_PARK_NANOS);
        if (at < timerAt) {
            timerAt = at;
            host.schedule(timerTask, Math.max(0, at - clock.nanos()), TimeUnit.NANOSECONDS);
        }
    }

    /**
     * Unparks the engine if it is parked, once per park: many loops posting while it wakes up would otherwise each
     * pay an unpark (a futex call, and a mutex the woken thread then contends on).
     */
    private void wakeOnce() {
        if (host != null) {
            schedule();
            return;
        }
        if (parked && PARKED.compareAndSet(this, true, false)) {
            LockSupport.unpark(thread);
        }
    }

    private static final java.lang.invoke.VarHandle PARKED;
    private static final java.lang.invoke.VarHandle CYCLE_QUEUED;

    static {
        try {
            PARKED = java.lang.invoke.MethodHandles.lookup().findVarHandle(EngineRunner.class, "parked", boolean.class);
            CYCLE_QUEUED = java.lang.invoke.MethodHandles.lookup().findVarHandle(EngineRunner.class, "cycleQueued",
                    boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    private void run() {
        try {
            while (running) {
                int work = drainInbox();
                long next = finishCycle();
                if (work == 0) {
                    if (current != null) {
                        // waiting for the log's next segment: the log thread wakes us when it is ready
                        LockSupport.parkNanos(this, STALL_NANOS);
                    } else {
                        idle(next);
                    }
                }
            }
            lastCycle();
        } finally {
            stopped.countDown();
        }
    }

    /** One last application of what was posted (stop). */
    private void lastCycle() {
        drainInbox();
        finishCycle();
    }

    /**
     * The rest of a cycle after the inbox, the same for the engine's thread and a host: timers, replies the log made
     * durable, one flush per touched connection, then the applied batches marked. Returns the next deadline.
     */
    private long finishCycle() {
        long next = engine.tick();
        engine.releaseDurable();
        engine.flush();
        markApplied();
        return next;
    }

    private int drainInbox() {
        int n = 0;
        if (current != null && !resume()) {
            return 0;
        }
        Event e;
        // Bounded so that timers still fire under a flood of commands.
        while (n < 4096 && (e = inbox.poll()) != null) {
            apply(e);
            n++;
            if (current != null) {
                break; // the log made the batch wait: so does everything after it
            }
        }
        return n;
    }

    /** The command batches being applied and where they stopped (engine thread only). */
    private Batches current;
    /** Batches applied in this cycle: marked applied once the cycle's replies are out (engine thread only). */
    private final java.util.ArrayList<Batches> appliedThisCycle = new java.util.ArrayList<>();
    private int batchIndex;
    private int commandIndex;

    /** Applies the current batches until done (true) or until the log asks the engine to wait (false). */
    private boolean resume() {
        while (batchIndex < current.clients.size()) {
            Client c = current.clients.get(batchIndex);
            List<Command> cmds = current.commands.get(batchIndex);
            while (commandIndex < cmds.size()) {
                if (engine.waitingForLog()) {
                    return false;
                }
                engine.command(c, cmds.get(commandIndex++));
            }
            batchIndex++;
            commandIndex = 0;
        }
        appliedThisCycle.add(current);
        current = null;
        return true;
    }

    private void markApplied() {
        for (int i = 0; i < appliedThisCycle.size(); i++) {
            appliedThisCycle.get(i).applied = true;
        }
        appliedThisCycle.clear();
    }

    private void apply(Event e) {
        switch (e.kind) {
            case OPEN:
                engine.open(e.client);
                break;
            case COMMANDS:
                current = e.batches;
                batchIndex = 0;
                commandIndex = 0;
                resume();
                break;
            case INPUT_CLOSED:
                engine.inputClosed(e.client);
                break;
            case CLOSED:
                engine.closed(e.client);
                break;
            default:
                engine.drain();
                break;
        }
    }

    /**
     * How long to spin for new work before parking (a park costs the posting thread a futex wake-up). Off by
     * default: the event loop polls for the engine's replies instead (ReplyAwaitingSelectStrategy), and two
     * spinning threads on two cores starve the clients (measured in bench/RESULTS.md).
     */
    private static final long SPIN_NANOS = Long.getLong("sluice.engine.spinNanos", 0);

    private void idle(long nextDeadline) {
        if (SPIN_NANOS > 0) {
            long until = System.nanoTime() + SPIN_NANOS;
            while (inbox.isEmpty() && !engine.releasable() && running && System.nanoTime() < until) {
                Thread.onSpinWait();
            }
            if (!inbox.isEmpty() || engine.releasable()) {
                return;
            }
        }
        parked = true;
        // Re-check after publishing "parked": a post that missed the flag is seen here (volatile ordering).
        if (inbox.isEmpty() && running && !engine.releasable()) {
            long wait = nextDeadline == Long.MAX_VALUE ? MAX_PARK_NANOS
                    : Math.min(MAX_PARK_NANOS, nextDeadline - clock.nanos());
            if (wait > 0) {
                LockSupport.parkNanos(this, wait);
            }
        }
        parked = false;
    }
}
