package io.sluice.client;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The Sluice options of a put ({@code put-ex}, PROTOCOL.md §7.2): a unique key, a time to live, what expiry does,
 * and a reserve limit. Every option is optional; an option left unset is not sent, so the broker's default applies.
 * Build with {@link #builder()}.
 *
 * <pre>{@code
 * PutOptions once = PutOptions.builder().key("order-42").ttl(Duration.ofMinutes(10)).build();
 * PutResult r = client.put(0, Duration.ZERO, Duration.ofSeconds(60), body, once); // r.created() or r.existed()
 * }</pre>
 *
 * <p>Thread rule: immutable; any thread. The builder is not thread-safe.
 */
public final class PutOptions {
    /** Longest key the broker accepts, in bytes (characters: keys are ASCII). */
    public static final int MAX_KEY_LENGTH = 128;

    private static final PutOptions NONE = new PutOptions(new Builder());

    /** What a job whose TTL ends before it is completed becomes. Any thread. */
    public enum OnExpire {
        /** Removed (finished state {@code expired}); the broker's default. */
        DELETE,
        /** Buried (a ready or delayed job; a buried one stays buried). */
        BURY;

        String wireName() {
            return this == DELETE ? "delete" : "bury";
        }
    }

    private final String key;
    private final Duration ttl;
    private final OnExpire onExpire;
    private final long maxReserves;

    private PutOptions(Builder b) {
        this.key = b.key;
        this.ttl = b.ttl;
        this.onExpire = b.onExpire;
        this.maxReserves = b.maxReserves;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** No option: a plain put, sent as {@code put-ex} (its delay and TTR then have millisecond precision). */
    public static PutOptions none() {
        return NONE;
    }

    /** The unique key: while a job with it is live or retained as finished, a put with it answers that job's id. */
    public Optional<String> key() {
        return Optional.ofNullable(key);
    }

    /** Time to live from the put. */
    public Optional<Duration> ttl() {
        return Optional.ofNullable(ttl);
    }

    /** What expiry does; empty means the broker's default ({@link OnExpire#DELETE}). */
    public Optional<OnExpire> onExpire() {
        return Optional.ofNullable(onExpire);
    }

    /** The job's reserve limit (0: none), overriding its tube's; empty means the tube's applies. */
    public OptionalLong maxReserves() {
        return maxReserves < 0 ? OptionalLong.empty() : OptionalLong.of(maxReserves);
    }

    /** The options as they go on the {@code put-ex} line: each preceded by a space, or empty. */
    String wire() {
        StringBuilder sb = new StringBuilder();
        if (key != null) {
            sb.append(" key=").append(key);
        }
        if (ttl != null) {
            sb.append(" ttl=").append(ExtProtocol.duration("ttl", ttl));
        }
        if (onExpire != null) {
            sb.append(" on-expire=").append(onExpire.wireName());
        }
        if (maxReserves >= 0) {
            sb.append(" max-reserves=").append(maxReserves);
        }
        return sb.toString();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof PutOptions p && Objects.equals(p.key, key) && Objects.equals(p.ttl, ttl)
                && p.onExpire == onExpire && p.maxReserves == maxReserves;
    }

    @Override
    public int hashCode() {
        return Objects.hash(key, ttl, onExpire, maxReserves);
    }

    @Override
    public String toString() {
        return "PutOptions[" + wire().trim() + "]";
    }

    /** Builder for {@link PutOptions}; each setter checks its argument at once. Not thread-safe. */
    public static final class Builder {
        private String key;
        private Duration ttl;
        private OnExpire onExpire;
        private long maxReserves = -1;

        private Builder() {
        }

        /**
         * The job's unique key: 1 to {@value PutOptions#MAX_KEY_LENGTH} printable ASCII characters other than space
         * ({@code !} to {@code ~}). Keys are broker-wide, not per tube.
         */
        public Builder key(String key) {
            this.key = ExtProtocol.key(key);
            return this;
        }

        /** Time to live from the put: positive, sent in milliseconds (rounded up). */
        public Builder ttl(Duration ttl) {
            if (ttl == null || ttl.isNegative() || ttl.isZero()) {
                throw new IllegalArgumentException("ttl: " + ttl + " is not positive");
            }
            ExtProtocol.duration("ttl", ttl); // range check now rather than at put time
            this.ttl = ttl;
            return this;
        }

        /** What expiry does (it has an effect only with a {@link #ttl}). */
        public Builder onExpire(OnExpire onExpire) {
            this.onExpire = Objects.requireNonNull(onExpire, "onExpire");
            return this;
        }

        /** The job's reserve limit, 0 (none) .. 4294967295, overriding its tube's (PROTOCOL.md §7.7). */
        public Builder maxReserves(long n) {
            this.maxReserves = Protocol.u32("maxReserves", n);
            return this;
        }

        public PutOptions build() {
            return new PutOptions(this);
        }
    }
}
