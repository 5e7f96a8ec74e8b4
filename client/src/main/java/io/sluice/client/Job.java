package io.sluice.client;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A job as the broker sent it: its id and body. Equality compares body contents.
 *
 * @param id   the job id (unsigned 64-bit on the wire; ids above {@link Long#MAX_VALUE} show as negative)
 * @param body the body bytes, exactly as put
 */
public record Job(long id, byte[] body) {

    public Job {
        if (body == null) {
            throw new IllegalArgumentException("body: null");
        }
    }

    /** The body decoded as UTF-8. */
    public String bodyAsString() {
        return new String(body, StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Job j && j.id == id && Arrays.equals(j.body, body);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(id) * 31 + Arrays.hashCode(body);
    }

    @Override
    public String toString() {
        return "Job[id=" + Long.toUnsignedString(id) + ", body=" + body.length + " bytes]";
    }
}
