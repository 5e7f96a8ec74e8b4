package io.sluice.broker.log;

/**
 * The on-disk format of the job log, version 1. Every multi-byte field is little-endian.
 *
 * <pre>
 * A data directory holds a lock file "lock" and segments named by sequence number, "00000000000000000001.log", ...
 *
 * Segment header (32 bytes)
 *   0  magic      8 bytes  "SLUICELG"
 *   8  version    u32      1
 *  12  flags      u32      0
 *  16  sequence   u64      this segment's number
 *  24  nextJobId  u64      the engine's next job id when the segment was opened (ids never repeat)
 *
 * Record (a segment is the header followed by records, up to its end or up to a zero length)
 *   0  length     u32      bytes after this field, crc included (&gt; 0)
 *   4  crc32c     u32      CRC32C of the bytes after this field (type .. end)
 *   8  type       u8       JOB=1, STATE=2, DELETE=3
 *   9  id         u64      job id
 *  JOB and STATE continue:
 *  17  state      u8       READY=0, DELAYED=1, BURIED=2 (a reserved job is logged as ready: reservations do not
 *                          survive a restart)
 *  18  pri        u32
 *  22  ttr        i64      ns
 *  30  delay      i64      ns, the last delay set by put or release (stats-job shows it)
 *  38  readyAt    i64      wall-clock ms when a DELAYED job becomes ready
 *  46  createdAt  i64      wall-clock ms of the put
 *  54  reserves, timeouts, releases, buries, kicks: u32 each
 *  JOB continues:
 *  74  tubeLen    u8       then the tube name (ASCII)
 *      bodyLen    u32      then the body
 *  JOB and STATE of a job with extension fields (PROTOCOL.md §7) end with, in both:
 *      flags      u8       1: on-expire=bury, 2: cancel requested
 *      expiresAt  i64      wall-clock ms of the TTL's end, 0: none
 *      maxReserves i64     -1: the tube's limit
 *      keyLen     u8       then the key (ASCII), 0: none
 *  DELETE may end with how the job finished (when finished jobs are retained):
 *      kind       u8       FINISHED_COMPLETED=1, DELETED=2, CANCELLED=3, EXPIRED=4
 *      finishedAt i64      wall-clock ms
 *      tubeLen    u8       then the tube name
 *      keyLen     u8       then the key, 0: none
 *
 * SCHEDULE (4, id 0): tubeLen u8 + tube, nameLen u8 + name, specLen u8 + spec, zoneLen u8 + zone, pri u32,
 *      ttr i64 (ns), addedAt i64, nextAt i64 (wall ms), fired i64, bodyLen u32 + body
 * UNSCHEDULE (5, id 0): tubeLen u8 + tube, nameLen u8 + name
 * TUBE (6, id 0): tubeLen u8 + tube, maxReserves i64 (0 removes the setting)
 * </pre>
 *
 * Optional trailers are recognised by the record's length, so logs written before the extensions read unchanged.
 *
 * A record torn by a crash fails its length or CRC check; zeros after the last record end a segment.
 *
 * <p>Thread rule: constants only; any thread.
 */
public final class LogFormat {
    public static final byte[] MAGIC = {'S', 'L', 'U', 'I', 'C', 'E', 'L', 'G'};
    public static final int VERSION = 1;
    public static final int HEADER_SIZE = 32;
    public static final int FRAME_SIZE = 8; // length + crc

    public static final byte JOB = 1;
    public static final byte STATE = 2;
    public static final byte DELETE = 3;
    public static final byte SCHEDULE = 4;
    public static final byte UNSCHEDULE = 5;
    public static final byte TUBE = 6;

    public static final byte FINISHED_COMPLETED = 1;
    public static final byte FINISHED_DELETED = 2;
    public static final byte FINISHED_CANCELLED = 3;
    public static final byte FINISHED_EXPIRED = 4;

    public static final byte READY = 0;
    public static final byte DELAYED = 1;
    public static final byte BURIED = 2;

    static final int DELETE_BODY = 1 + 8;
    static final int STATE_BODY = 1 + 8 + 1 + 4 + 8 + 8 + 8 + 8 + 5 * 4;
    /** Largest record we accept when reading: a 1 GiB body plus headroom; anything larger is corruption. */
    static final int MAX_RECORD = (1 << 30) + 1024;

    private LogFormat() {
    }

    public static String segmentName(long sequence) {
        return String.format("%020d.log", sequence);
    }
}
