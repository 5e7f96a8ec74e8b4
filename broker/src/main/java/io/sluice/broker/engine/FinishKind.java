package io.sluice.broker.engine;

import io.sluice.broker.log.LogFormat;

/** How a job finished (PROTOCOL.md §7.5), as {@code job-state} names it. Immutable; any thread. */
enum FinishKind {
    COMPLETED("completed", LogFormat.FINISHED_COMPLETED),
    DELETED("deleted", LogFormat.FINISHED_DELETED),
    CANCELLED("cancelled", LogFormat.FINISHED_CANCELLED),
    EXPIRED("expired", LogFormat.FINISHED_EXPIRED);

    final String wireName;
    final byte code;

    FinishKind(String wireName, byte code) {
        this.wireName = wireName;
        this.code = code;
    }

    static FinishKind of(byte code) {
        for (FinishKind k : values()) {
            if (k.code == code) {
                return k;
            }
        }
        return DELETED;
    }
}
