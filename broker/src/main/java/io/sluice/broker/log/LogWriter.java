package io.sluice.broker.log;

import io.sluice.broker.config.FsyncPolicy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;

/**
 * The log thread: owns the segment files, writes what the engine appends, and forces it to disk per the
 * {@link FsyncPolicy}. Everything queued while one fsync runs is written and forced by the next one: group commit.
 * Positions are logical (bytes appended since start, counted identically by the engine); {@link
 * #durablePosition()} says how far is safe.
 *
 * <p>Disk space is claimed ahead: the next segment is created and filled with zeros to its full size before the
 * engine may roll into it ({@link #readySequence()}), so appends inside a segment cannot hit a full disk. When
 * that preparation fails (disk full), the engine refuses changes with OUT_OF_MEMORY while reads go on, and this
 * thread retries every second: writes resume when space returns. Any other I/O error, and any failed fsync, is
 * fatal ({@code onFailure}): after a failed fsync the kernel may have dropped the dirty pages, so nothing written
 * since the last good fsync can be trusted, and no reply depending on it may be sent.
 *
 * <p>{@code onDurable} runs on the log thread whenever more is durable or a new segment is ready.
 *
 * <p>Thread rule: {@link #append}, {@link #roll}, {@link #deleteSegment} from the engine thread only (single
 * producer); {@link #durablePosition} and {@link #readySequence} from any thread; the files are touched by the log
 * thread only.
 */
public final class LogWriter {
    private static final int STAGING = 1 << 20;
    private static final long RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);

    private sealed interface Item permits Rec, Roll, Delete { }

    private record Rec(byte[] bytes) implements Item { }

    private record Roll(long sequence, long nextJobId) implements Item { }

    private record Delete(long sequence) implements Item { }

    private final Path dir;
    private final FsyncPolicy policy;
    private final long segmentSize;
    private final FileOpener opener;
    private final Runnable onDurable;
    private final Consumer<Throwable> onFailure;
    private final ConcurrentLinkedQueue<Item> queue = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final ByteBuffer staging = ByteBuffer.allocateDirect(STAGING);
    private volatile boolean running = true;
    private volatile boolean parked;
    private volatile long durable;
    /** The highest segment created and filled to full size, ready to roll into. */
    private volatile long ready;
    /** Why the last preparation failed, or null. */
    private volatile String spaceProblem;

    // Log thread only.
    private FileChannel current;
    private long currentUsed;
    private long position;
    private boolean unsynced;
    private long lastSyncNanos;
    private long nextNextJobId;
    private long lastAttempt;

    public LogWriter(Path dir, FsyncPolicy policy, long segmentSize, FileOpener opener, Runnable onDurable,
                     Consumer<Throwable> onFailure) {
        this.dir = dir;
        this.policy = policy;
        this.segmentSize = segmentSize;
        this.opener = opener;
        this.onDurable = onDurable;
        this.onFailure = onFailure;
        this.thread = new Thread(this::run, "sluice-log");
    }

    /**
     * Creates and opens the first segment (synchronously, before any append), then starts the thread, which
     * prepares the next one.
     */
    public void start(long sequence, long nextJobId) throws IOException {
        if (!prepare(sequence, nextJobId)) {
            throw new IOException("cannot create log segment " + dir.resolve(LogFormat.segmentName(sequence)) + ": "
                    + spaceProblem);
        }
        openPrepared(sequence, nextJobId);
        thread.start();
    }

    public void append(byte[] record) {
        post(new Rec(record));
    }

    /** Closes the current segment (forced, trimmed to its used size) and continues in {@code sequence}. */
    public void roll(long sequence, long nextJobId) {
        post(new Roll(sequence, nextJobId));
    }

    /** Deletes a segment once everything appended before this call is durable (moved copies first). */
    public void deleteSegment(long sequence) {
        post(new Delete(sequence));
    }

    public long durablePosition() {
        return durable;
    }

    /** The highest segment the engine may roll into. */
    public long readySequence() {
        return ready;
    }

    /** Why the next segment could not be prepared (disk full), or null. */
    public String spaceProblem() {
        return spaceProblem;
    }

    /** Writes and forces everything queued, then stops the thread. */
    public void stop() throws InterruptedException {
        running = false;
        LockSupport.unpark(thread);
        stopped.await(30, TimeUnit.SECONDS);
    }

    private void post(Item item) {
        queue.offer(item);
        if (parked) {
            LockSupport.unpark(thread);
        }
    }

    private void run() {
        try {
            while (running || !queue.isEmpty()) {
                boolean worked = drainBatch();
                if (ready <= currentSequence && System.nanoTime() - lastAttempt >= RETRY_NANOS) {
                    lastAttempt = System.nanoTime();
                    prepare(currentSequence + 1, nextNextJobId);
                }
                if (!worked) {
                    idle();
                }
            }
            sync();
            durable = position;
            current.truncate(currentUsed);
            current.force(true);
            current.close();
            if (ready > currentSequence) {
                // the segment prepared ahead was never used: do not leave its zeros on disk
                Files.deleteIfExists(dir.resolve(LogFormat.segmentName(ready)));
                SegmentFiles.syncDirectory(dir);
            }
        } catch (Throwable t) {
            onFailure.accept(t);
        } finally {
            stopped.countDown();
        }
    }

    private long currentSequence;

    /** Writes everything queued now; returns false when there was nothing. */
    private boolean drainBatch() throws IOException {
        Item item = queue.poll();
        if (item == null) {
            if (intervalDue()) {
                sync(); // idle: the last writes of a burst get their fsync within the interval too
            }
            return false;
        }
        long batchBytes = 0;
        do {
            if (item instanceof Rec r) {
                stage(r.bytes());
                batchBytes += r.bytes().length;
            } else if (item instanceof Roll roll) {
                flushStaging();
                sync();
                current.truncate(currentUsed); // the zeros past the last record are not needed any more
                current.close();
                if (ready < roll.sequence()) {
                    throw new IOException("engine rolled into segment " + roll.sequence() + " before it was ready");
                }
                openPrepared(roll.sequence(), roll.nextJobId());
            } else if (item instanceof Delete d) {
                // The copies of the segment's live jobs were appended before this item: make them durable first,
                // whatever the policy. beanstalkd unlinks first and can lose an acknowledged job here.
                flushStaging();
                sync();
                Files.deleteIfExists(dir.resolve(LogFormat.segmentName(d.sequence())));
                SegmentFiles.syncDirectory(dir);
            }
        } while (batchBytes < 4 * STAGING && (item = queue.poll()) != null);
        flushStaging();
        if (policy.kind() == FsyncPolicy.Kind.ALWAYS || intervalDue()) {
            sync();
        }
        durable = position;
        onDurable.run();
        return true;
    }

    /** Under the interval policy: unsynced data older than the interval (checked under load and when idle). */
    private boolean intervalDue() {
        return unsynced && policy.kind() == FsyncPolicy.Kind.INTERVAL
                && System.nanoTime() - lastSyncNanos >= TimeUnit.MILLISECONDS.toNanos(policy.intervalMs());
    }

    private void stage(byte[] bytes) throws IOException {
        if (bytes.length > staging.remaining()) {
            flushStaging();
            if (bytes.length > staging.capacity()) {
                writeFully(ByteBuffer.wrap(bytes));
                position += bytes.length;
                return;
            }
        }
        staging.put(bytes);
        position += bytes.length;
    }

    private void flushStaging() throws IOException {
        staging.flip();
        writeFully(staging);
        staging.clear();
    }

    /** Writes at the end of the used part of the current segment (over its preallocated zeros). */
    private void writeFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            int n = current.write(b, currentUsed);
            currentUsed += n;
        }
        unsynced = true;
    }

    private void sync() throws IOException {
        if (unsynced && policy.kind() != FsyncPolicy.Kind.NEVER) {
            current.force(false);
            lastSyncNanos = System.nanoTime();
        }
        unsynced = false;
    }

    /**
     * Creates segment {@code sequence} with its header and zeros up to the segment size, forced. Returns false
     * (and removes the partial file) when the disk has no room; other errors propagate.
     */
    private boolean prepare(long sequence, long nextJobId) throws IOException {
        Path file = dir.resolve(LogFormat.segmentName(sequence));
        Files.deleteIfExists(file); // a partial one from a failed attempt
        try (FileChannel ch = opener.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            ByteBuffer h = ByteBuffer.allocate(LogFormat.HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
            h.put(LogFormat.MAGIC).putInt(LogFormat.VERSION).putInt(0).putLong(sequence).putLong(nextJobId).flip();
            long at = 0;
            while (h.hasRemaining()) {
                at += ch.write(h, at);
            }
            ByteBuffer zeros = ByteBuffer.allocate(64 * 1024);
            while (at < segmentSize) {
                zeros.clear().limit((int) Math.min(zeros.capacity(), segmentSize - at));
                while (zeros.hasRemaining()) {
                    at += ch.write(zeros, at);
                }
            }
            ch.force(true);
        } catch (IOException e) {
            if (!isNoSpace(e)) {
                throw e;
            }
            spaceProblem = e.getMessage();
            Files.deleteIfExists(file);
            return false;
        }
        SegmentFiles.syncDirectory(dir);
        spaceProblem = null;
        ready = sequence;
        onDurable.run(); // an engine waiting for this segment goes on
        return true;
    }

    static boolean isNoSpace(IOException e) {
        String m = e.getMessage();
        return m != null && (m.contains("No space left") || m.contains("Disk quota exceeded"));
    }

    /**
     * Switches to a prepared segment. Its header was written when it was prepared, with the job id mark of that
     * moment; the mark is brought up to date now, because once older segments are compacted away this header may
     * be the only record of how far ids went.
     */
    private void openPrepared(long sequence, long nextJobId) throws IOException {
        current = opener.open(dir.resolve(LogFormat.segmentName(sequence)), StandardOpenOption.WRITE);
        ByteBuffer mark = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(nextJobId).flip();
        long at = 24;
        while (mark.hasRemaining()) {
            at += current.write(mark, at);
        }
        currentUsed = LogFormat.HEADER_SIZE;
        currentSequence = sequence;
        nextNextJobId = nextJobId;
        unsynced = true;
        lastAttempt = 0; // prepare the next one straight away
    }

    private void idle() {
        parked = true;
        if (queue.isEmpty() && running) {
            long wait = policy.kind() == FsyncPolicy.Kind.INTERVAL && unsynced
                    ? TimeUnit.MILLISECONDS.toNanos(Math.max(1, policy.intervalMs()))
                    : TimeUnit.MILLISECONDS.toNanos(ready <= currentSequence ? 50 : 100);
            LockSupport.parkNanos(this, wait);
        }
        parked = false;
    }
}
