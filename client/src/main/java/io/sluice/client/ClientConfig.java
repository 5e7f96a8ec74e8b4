package io.sluice.client;

import java.time.Duration;
import java.util.Objects;

/**
 * How a client reaches its broker. Build with {@link #builder()}; every setting has a default.
 *
 * <p>Thread rule: immutable; any thread.
 *
 * <ul>
 *   <li>{@code host}, {@code port}: default {@code 127.0.0.1:11300}.</li>
 *   <li>{@code connectTimeout}: per TCP connect attempt; default 5 s.</li>
 *   <li>{@code readTimeout}: how long a reply may take before the connection is given up as lost (a reserve may
 *       additionally take its own timeout; a plain {@code reserve} waits without limit); {@link Duration#ZERO}
 *       waits forever; default 30 s.</li>
 *   <li>{@code reconnectAttempts}: connect attempts per (re)connect before giving up with
 *       {@link ConnectionLostException}; default 5.</li>
 *   <li>{@code reconnectBackoff}: the pause after the first failed attempt, doubling per attempt up to
 *       {@code reconnectBackoffMax}; defaults 100 ms and 5 s.</li>
 *   <li>{@code maxInFlight}: {@link AsyncBeanstalkClient} only: commands accepted but not yet answered, beyond which
 *       the submitting thread blocks; default 1024.</li>
 * </ul>
 */
public final class ClientConfig {
    public static final String DEFAULT_HOST = "127.0.0.1";
    public static final int DEFAULT_PORT = 11300;

    private final String host;
    private final int port;
    private final Duration connectTimeout;
    private final Duration readTimeout;
    private final int reconnectAttempts;
    private final Duration reconnectBackoff;
    private final Duration reconnectBackoffMax;
    private final int maxInFlight;

    private ClientConfig(Builder b) {
        this.host = b.host;
        this.port = b.port;
        this.connectTimeout = b.connectTimeout;
        this.readTimeout = b.readTimeout;
        this.reconnectAttempts = b.reconnectAttempts;
        this.reconnectBackoff = b.reconnectBackoff;
        this.reconnectBackoffMax = b.reconnectBackoffMax;
        this.maxInFlight = b.maxInFlight;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Defaults, at {@code 127.0.0.1:11300}. */
    public static ClientConfig defaults() {
        return builder().build();
    }

    /** A builder holding this configuration's settings. */
    public Builder toBuilder() {
        return builder().host(host).port(port).connectTimeout(connectTimeout).readTimeout(readTimeout)
                .reconnectAttempts(reconnectAttempts).reconnectBackoff(reconnectBackoff, reconnectBackoffMax)
                .maxInFlight(maxInFlight);
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    public Duration readTimeout() {
        return readTimeout;
    }

    public int reconnectAttempts() {
        return reconnectAttempts;
    }

    public Duration reconnectBackoff() {
        return reconnectBackoff;
    }

    public Duration reconnectBackoffMax() {
        return reconnectBackoffMax;
    }

    public int maxInFlight() {
        return maxInFlight;
    }

    @Override
    public String toString() {
        return "ClientConfig[" + host + ":" + port + ", connectTimeout=" + connectTimeout + ", readTimeout="
                + readTimeout + ", reconnectAttempts=" + reconnectAttempts + ", reconnectBackoff=" + reconnectBackoff
                + ".." + reconnectBackoffMax + ", maxInFlight=" + maxInFlight + "]";
    }

    /** Builder for {@link ClientConfig}. Not thread-safe. */
    public static final class Builder {
        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private Duration connectTimeout = Duration.ofSeconds(5);
        private Duration readTimeout = Duration.ofSeconds(30);
        private int reconnectAttempts = 5;
        private Duration reconnectBackoff = Duration.ofMillis(100);
        private Duration reconnectBackoffMax = Duration.ofSeconds(5);
        private int maxInFlight = 1024;

        private Builder() {
        }

        public Builder host(String h) {
            this.host = Objects.requireNonNull(h, "host");
            return this;
        }

        public Builder port(int p) {
            if (p < 1 || p > 65535) {
                throw new IllegalArgumentException("port: " + p + " is not in 1..65535");
            }
            this.port = p;
            return this;
        }

        public Builder connectTimeout(Duration d) {
            this.connectTimeout = positive("connectTimeout", d);
            return this;
        }

        /** {@link Duration#ZERO}: no limit. */
        public Builder readTimeout(Duration d) {
            this.readTimeout = notNegative("readTimeout", d);
            return this;
        }

        public Builder reconnectAttempts(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("reconnectAttempts: " + n + " is below 1");
            }
            this.reconnectAttempts = n;
            return this;
        }

        public Builder reconnectBackoff(Duration initial, Duration max) {
            this.reconnectBackoff = notNegative("reconnectBackoff", initial);
            this.reconnectBackoffMax = notNegative("reconnectBackoffMax", max);
            if (max.compareTo(initial) < 0) {
                throw new IllegalArgumentException("reconnectBackoffMax: " + max + " is below " + initial);
            }
            return this;
        }

        public Builder maxInFlight(int n) {
            if (n < 1) {
                throw new IllegalArgumentException("maxInFlight: " + n + " is below 1");
            }
            this.maxInFlight = n;
            return this;
        }

        public ClientConfig build() {
            return new ClientConfig(this);
        }

        private static Duration positive(String name, Duration d) {
            if (d == null || d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + ": " + d + " is not positive");
            }
            return d;
        }

        private static Duration notNegative(String name, Duration d) {
            if (d == null || d.isNegative()) {
                throw new IllegalArgumentException(name + ": " + d + " is negative");
            }
            return d;
        }
    }
}
