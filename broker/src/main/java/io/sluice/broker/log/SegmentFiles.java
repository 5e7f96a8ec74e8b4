package io.sluice.broker.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * The data directory: its lock, its segment files, and directory fsync.
 *
 * <p>Thread rule: static helpers, safe from any thread; the lock is taken once by the broker's start.
 */
public final class SegmentFiles {
    private SegmentFiles() {
    }

    /** Takes the directory's lock (creating the directory), so that two brokers never share it. */
    public static FileLock lock(Path dir) throws IOException {
        Files.createDirectories(dir);
        FileChannel ch = FileChannel.open(dir.resolve("lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
        try {
            FileLock lock = ch.tryLock();
            if (lock == null) {
                ch.close();
                throw new IOException("data directory " + dir + " is locked by another broker");
            }
            return lock;
        } catch (OverlappingFileLockException e) {
            ch.close();
            throw new IOException("data directory " + dir + " is locked by another broker in this process");
        }
    }

    /** Segment sequence numbers present, ascending. */
    public static List<Long> list(Path dir) throws IOException {
        List<Long> seqs = new ArrayList<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : (Iterable<Path>) s::iterator) {
                String n = p.getFileName().toString();
                if (n.matches("\\d{20}\\.log")) {
                    seqs.add(Long.parseLong(n.substring(0, 20)));
                }
            }
        }
        seqs.sort(null);
        return seqs;
    }

    /** Makes a file creation or deletion in {@code dir} durable. */
    public static void syncDirectory(Path dir) throws IOException {
        try (FileChannel ch = FileChannel.open(dir, StandardOpenOption.READ)) {
            ch.force(true);
        } catch (IOException e) {
            // Some filesystems refuse to fsync a directory; the file data itself is already forced.
            if (!(e.getMessage() != null && e.getMessage().contains("Is a directory"))) {
                throw e;
            }
        }
    }
}
