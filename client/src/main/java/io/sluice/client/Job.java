package io.sluice.client;

import java.nio.charset.StandardCharsets;

/**
 * A job as the broker returned it: its id and body. Immutable; any thread (the body array is not copied: do not
 * change it).
 */
public record Job(long id, byte[] body) {
    /** The body decoded as UTF-8. */
    public String bodyAsString() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public String toString() {
        return "Job[id=" + Long.toUnsignedString(id) + ", " + body.length + " bytes]";
    }
}
