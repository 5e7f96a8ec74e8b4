package io.sluice.broker.log;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * Opens segment files for the {@link LogWriter}: the seam where tests inject faults (disk full, short writes,
 * failed fsync) with a delegating {@link FileChannel}, as beanstalkd's tests swap its {@code falloc} pointer.
 *
 * <p>Thread rule: called on the log thread only.
 */
@FunctionalInterface
public interface FileOpener {
    FileChannel open(Path file, StandardOpenOption... options) throws IOException;

    FileOpener DEFAULT = FileChannel::open;
}
