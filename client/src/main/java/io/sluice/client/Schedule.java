package io.sluice.client;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A recurring job as {@code schedule-list} reports it (Sluice, PROTOCOL.md §7.9). Immutable; any thread.
 *
 * @param tube   the tube its firings put into (the used tube of the {@code schedule-add})
 * @param spec   a cron expression, a macro ({@code @daily}) or {@code @every <duration>}, as added
 * @param zone   the IANA time zone cron expressions and macros are read in
 * @param ttr    the TTR of the jobs it puts
 * @param bytes  the body size of the jobs it puts
 * @param nextAt when it fires next; empty if it never will
 * @param fired  how many jobs it has put
 */
public record Schedule(String tube, String name, String spec, String zone, long pri, Duration ttr, long bytes,
                       Optional<Instant> nextAt, long fired) {

    static List<Schedule> parseList(byte[] yaml) {
        List<Schedule> out = new ArrayList<>();
        for (Map<String, String> m : Yaml.flowMaps(yaml)) {
            long next = Yaml.num(m, "next-at");
            out.add(new Schedule(Yaml.str(m, "tube"), Yaml.str(m, "name"), Yaml.str(m, "spec"), Yaml.str(m, "tz"),
                    Yaml.num(m, "pri"), Duration.ofMillis(Yaml.num(m, "ttr-ms")), Yaml.num(m, "bytes"),
                    next == 0 ? Optional.empty() : Optional.of(Instant.ofEpochMilli(next)), Yaml.num(m, "fired")));
        }
        return List.copyOf(out);
    }
}
