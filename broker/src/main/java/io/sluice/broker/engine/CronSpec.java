package io.sluice.broker.engine;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;

import java.time.DateTimeException;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.Map;
import java.util.Optional;

/**
 * When a schedule fires (PROTOCOL.md §7.9): a 5-field Unix cron expression or a macro, stepped in a time zone by
 * cron-utils, or {@code @every <duration>} counted from the schedule's anchor.
 *
 * <p>Thread rule: immutable after {@link #parse}; any thread (cron-utils' ExecutionTime is thread-safe).
 */
final class CronSpec {
    private static final CronParser UNIX = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
    /** The macros, as the cron expressions they stand for (Vixie cron's meaning). */
    private static final Map<String, String> MACROS = Map.of(
            "@yearly", "0 0 1 1 *", "@annually", "0 0 1 1 *", "@monthly", "0 0 1 * *", "@weekly", "0 0 * * 0",
            "@daily", "0 0 * * *", "@midnight", "0 0 * * *", "@hourly", "0 * * * *");

    static final long MIN_EVERY_MILLIS = 100;

    private final ExecutionTime cron;
    private final ZoneId zone;
    /** {@code @every}: the interval in ms (else 0). */
    private final long everyMillis;

    private CronSpec(ExecutionTime cron, ZoneId zone, long everyMillis) {
        this.cron = cron;
        this.zone = zone;
        this.everyMillis = everyMillis;
    }

    /** The spec, or null if it or the zone is not valid. */
    static CronSpec parse(String spec, String zoneId) {
        ZoneId zone;
        try {
            zone = ZoneId.of(zoneId);
        } catch (DateTimeException e) {
            return null;
        }
        if (spec.startsWith("@every ")) {
            byte[] b = spec.substring(7).getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
            long nanos = io.sluice.broker.protocol.Durations.parse(b, 0, b.length);
            // a floor, so that a typo (1ms for 1m) cannot flood a tube with thousands of jobs a second
            return nanos >= MIN_EVERY_MILLIS * 1_000_000 ? new CronSpec(null, zone, nanos / 1_000_000) : null;
        }
        String expr = MACROS.getOrDefault(spec, spec);
        if (expr.startsWith("@") || expr.split(" ").length != 5) {
            return null;
        }
        try {
            return new CronSpec(ExecutionTime.forCron(UNIX.parse(expr).validate()), zone, 0);
        } catch (IllegalArgumentException e) {
            return null;
        }
    }

    /**
     * The first firing strictly after {@code afterMillis} (wall-clock ms); {@code anchorMillis} is when an
     * {@code @every} schedule was added. Long.MAX_VALUE if a cron expression never fires again (e.g. Feb 30).
     */
    long nextAfter(long afterMillis, long anchorMillis) {
        if (cron == null) {
            if (afterMillis < anchorMillis) {
                return anchorMillis;
            }
            long n = (afterMillis - anchorMillis) / everyMillis + 1;
            return anchorMillis + n * everyMillis;
        }
        ZonedDateTime t = ZonedDateTime.ofInstant(Instant.ofEpochMilli(afterMillis), zone);
        Optional<ZonedDateTime> next = cron.nextExecution(t);
        return next.map(z -> z.toInstant().toEpochMilli()).orElse(Long.MAX_VALUE);
    }
}
