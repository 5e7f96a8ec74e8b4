package io.sluice.client;

import java.time.Duration;
import java.util.Map;

/**
 * One job of a {@link JobPage} ({@code list-jobs}, Sluice, PROTOCOL.md §7.6). Immutable; any thread.
 *
 * @param age   time since the put, to the millisecond
 * @param bytes body size
 * @param key   the job's unique key, or the empty string
 */
public record JobSummary(long id, long pri, Duration age, long bytes, long reserves, String key) {

    static JobSummary of(Map<String, String> m) {
        return new JobSummary(Yaml.num(m, "id"), Yaml.num(m, "pri"), Duration.ofMillis(Yaml.num(m, "age-ms")),
                Yaml.num(m, "bytes"), Yaml.num(m, "reserves"), Yaml.str(m, "key"));
    }
}
