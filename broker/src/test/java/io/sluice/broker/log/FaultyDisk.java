package io.sluice.broker.log;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.ReadableByteChannel;
import java.nio.channels.WritableByteChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A {@link FileOpener} whose files share a byte budget (a disk that fills up: ENOSPC, and short writes at the
 * edge) and whose fsync can be made to fail. Thread-safe: tests change it while the log thread writes.
 */
public final class FaultyDisk implements FileOpener {
    /** Bytes that may still be written before the disk is full. */
    public final AtomicLong budget = new AtomicLong(Long.MAX_VALUE);
    public final AtomicBoolean failFsync = new AtomicBoolean();
    /** At most this many bytes per write call (short writes, as a kernel may do); the rest needs another call. */
    public final java.util.concurrent.atomic.AtomicInteger maxPerWrite =
            new java.util.concurrent.atomic.AtomicInteger(Integer.MAX_VALUE);

    @Override
    public FileChannel open(Path file, StandardOpenOption... options) throws IOException {
        return new Channel(FileChannel.open(file, options));
    }

    private final class Channel extends FileChannel {
        private final FileChannel d;

        Channel(FileChannel d) {
            this.d = d;
        }

        /** Bytes of this write that may go through: overwriting allocated blocks is free, growth costs budget. */
        private int allow(ByteBuffer src, long position) throws IOException {
            long at = position < 0 ? d.position() : position;
            long growth = Math.max(0, at + src.remaining() - Math.max(d.size(), at));
            long inside = src.remaining() - growth;
            long left = budget.get();
            if (growth > 0 && left <= 0) {
                if (inside > 0) {
                    return (int) inside;
                }
                throw new IOException("No space left on device");
            }
            long grant = Math.min(growth, left);
            budget.addAndGet(-grant);
            return (int) (inside + grant);
        }

        private int limited(ByteBuffer src, long position) throws IOException {
            int n = Math.min(allow(src, position), maxPerWrite.get());
            ByteBuffer part = src.duplicate();
            part.limit(part.position() + n); // a short write at the edge of the disk
            int w = position < 0 ? d.write(part) : d.write(part, position);
            src.position(src.position() + w);
            return w;
        }

        @Override
        public int write(ByteBuffer src) throws IOException {
            return limited(src, -1);
        }

        @Override
        public int write(ByteBuffer src, long position) throws IOException {
            return limited(src, position);
        }

        @Override
        public long write(ByteBuffer[] srcs, int offset, int length) throws IOException {
            long n = 0;
            for (int i = offset; i < offset + length; i++) {
                n += write(srcs[i]);
            }
            return n;
        }

        @Override
        public void force(boolean metaData) throws IOException {
            if (failFsync.get()) {
                throw new IOException("Input/output error (injected fsync failure)");
            }
            d.force(metaData);
        }

        @Override
        public int read(ByteBuffer dst) throws IOException {
            return d.read(dst);
        }

        @Override
        public long read(ByteBuffer[] dsts, int offset, int length) throws IOException {
            return d.read(dsts, offset, length);
        }

        @Override
        public int read(ByteBuffer dst, long position) throws IOException {
            return d.read(dst, position);
        }

        @Override
        public long position() throws IOException {
            return d.position();
        }

        @Override
        public FileChannel position(long newPosition) throws IOException {
            d.position(newPosition);
            return this;
        }

        @Override
        public long size() throws IOException {
            return d.size();
        }

        @Override
        public FileChannel truncate(long size) throws IOException {
            d.truncate(size);
            return this;
        }

        @Override
        public long transferTo(long position, long count, WritableByteChannel target) throws IOException {
            return d.transferTo(position, count, target);
        }

        @Override
        public long transferFrom(ReadableByteChannel src, long position, long count) throws IOException {
            throw new UnsupportedOperationException();
        }

        @Override
        public MappedByteBuffer map(MapMode mode, long position, long size) throws IOException {
            throw new UnsupportedOperationException();
        }

        @Override
        public FileLock lock(long position, long size, boolean shared) throws IOException {
            return d.lock(position, size, shared);
        }

        @Override
        public FileLock tryLock(long position, long size, boolean shared) throws IOException {
            return d.tryLock(position, size, shared);
        }

        @Override
        protected void implCloseChannel() throws IOException {
            d.close();
        }
    }
}
