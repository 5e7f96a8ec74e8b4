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
 * <p>Thread rule: {@link #append}, {@link #roll}, {@link #deleteSegment} from the engine thread only (single
 * producer); {@link #durablePosition} from any thread; the files are touched by the log thread only.
 */
public final class LogWriter {
    private static final int STAGING = 1 << 20;

    private sealed interface Item permits Rec, Roll, Delete { }

    private record Rec(byte[] bytes) implements Item { }

    private record Roll(long sequence, long nextJobId) implements Item { }

    private record Delete(long sequence) implements Item { }

    private final Path dir;
    private final FsyncPolicy policy;
    private final Runnable onDurable;
    private final Consumer<Throwable> onFailure;
    private final ConcurrentLinkedQueue<Item> queue = new ConcurrentLinkedQueue<>();
    private final Thread thread;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final ByteBuffer staging = ByteBuffer.allocateDirect(STAGING);
    private volatile boolean running = true;
    private volatile boolean parked;
    private volatile long durable;
    private volatile long written;

    // Log thread only.
    private FileChannel current;
    private long position;
    private boolean unsynced;
    private long lastSyncNanos;

    public LogWriter(Path dir, FsyncPolicy policy, Runnable onDurable, Consumer<Throwable> onFailure) {
        this.dir = dir;
        this.policy = policy;
        this.onDurable = onDurable;
        this.onFailure = onFailure;
        this.thread = new Thread(this::run, "sluice-log");
    }

    /** Opens the first segment (synchronously, before any append) and starts the thread. */
    public void start(long sequence, long nextJobId) throws IOException {
        openSegment(sequence, nextJobId);
        thread.start();
    }

    public void append(byte[] record) {
        post(new Rec(record));
    }

    /** Closes the current segment (forced) and continues in a new one. */
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

    /** Bytes written to files so far (durable or not). */
    public long writtenPosition() {
        return written;
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
                if (!drainBatch()) {
                    idle();
                }
            }
            sync();
            durable = position;
            current.close();
        } catch (Throwable t) {
            onFailure.accept(t);
        } finally {
            stopped.countDown();
        }
    }

    /** Writes everything queued now; returns false when there was nothing. */
    private boolean drainBatch() throws IOException {
        Item item = queue.poll();
        if (item == null) {
            if (unsynced && policy.kind() == FsyncPolicy.Kind.INTERVAL
                    && System.nanoTime() - lastSyncNanos >= TimeUnit.MILLISECONDS.toNanos(policy.intervalMs())) {
                sync();
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
                current.close();
                openSegment(roll.sequence(), roll.nextJobId());
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
        written = position;
        if (policy.kind() == FsyncPolicy.Kind.ALWAYS) {
            sync();
        }
        durable = position;
        onDurable.run();
        return true;
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

    private void writeFully(ByteBuffer b) throws IOException {
        while (b.hasRemaining()) {
            current.write(b);
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

    private void openSegment(long sequence, long nextJobId) throws IOException {
        Path file = dir.resolve(LogFormat.segmentName(sequence));
        current = FileChannel.open(file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE);
        ByteBuffer h = ByteBuffer.allocate(LogFormat.HEADER_SIZE).order(ByteOrder.LITTLE_ENDIAN);
        h.put(LogFormat.MAGIC).putInt(LogFormat.VERSION).putInt(0).putLong(sequence).putLong(nextJobId).flip();
        writeFully(h);
        current.force(true);
        SegmentFiles.syncDirectory(dir);
        unsynced = false;
    }

    private void idle() {
        parked = true;
        if (queue.isEmpty() && running) {
            long wait = policy.kind() == FsyncPolicy.Kind.INTERVAL && unsynced
                    ? TimeUnit.MILLISECONDS.toNanos(Math.max(1, policy.intervalMs()))
                    : TimeUnit.MILLISECONDS.toNanos(100);
            LockSupport.parkNanos(this, wait);
        }
        parked = false;
    }
}
