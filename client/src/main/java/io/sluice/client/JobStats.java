package io.sluice.client;

import java.util.Map;

/**
 * The reply to {@code stats-job}. Times are whole seconds.
 *
 * @param state    {@code ready}, {@code delayed}, {@code reserved} or {@code buried}
 * @param timeLeft seconds until a delayed job is ready or a reserved job's TTR ends, else 0
 * @param raw      every key as sent, in order
 */
public record JobStats(long id, String tube, String state, long pri, long age, long delay, long ttr, long timeLeft,
                       long file, long reserves, long timeouts, long releases, long buries, long kicks,
                       Map<String, String> raw) {

    static JobStats parse(byte[] yaml) {
        Map<String, String> m = Yaml.map(yaml);
        return new JobStats(Yaml.num(m, "id"), Yaml.str(m, "tube"), Yaml.str(m, "state"), Yaml.num(m, "pri"),
                Yaml.num(m, "age"), Yaml.num(m, "delay"), Yaml.num(m, "ttr"), Yaml.num(m, "time-left"),
                Yaml.num(m, "file"), Yaml.num(m, "reserves"), Yaml.num(m, "timeouts"), Yaml.num(m, "releases"),
                Yaml.num(m, "buries"), Yaml.num(m, "kicks"), m);
    }
}
