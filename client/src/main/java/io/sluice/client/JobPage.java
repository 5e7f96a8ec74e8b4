package io.sluice.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One page of a tube's jobs in one state, in id order ({@code list-jobs}, Sluice, PROTOCOL.md §7.6). Pass
 * {@link #next()} as the {@code afterId} of the next call until {@link #isLast()}. Pages are not a snapshot: jobs
 * that change state between calls may be missed or seen twice. Immutable; any thread.
 *
 * <pre>{@code
 * long after = 0;
 * do {
 *     JobPage page = client.listJobs("emails", JobState.State.BURIED, 100, after);
 *     page.jobs().forEach(j -> System.out.println(j.id()));
 *     after = page.next();
 * } while (after != 0);
 * }</pre>
 *
 * @param jobs the page's jobs, at most the limit asked for
 * @param next the last job's id when more jobs follow, else 0
 */
public record JobPage(List<JobSummary> jobs, long next) {
    static final JobPage EMPTY = new JobPage(List.of(), 0);

    public JobPage {
        jobs = List.copyOf(jobs);
    }

    /** Whether no job follows this page. */
    public boolean isLast() {
        return next == 0;
    }

    static JobPage parse(byte[] yaml) {
        List<JobSummary> jobs = new ArrayList<>();
        for (Map<String, String> m : Yaml.flowMaps(yaml)) {
            jobs.add(JobSummary.of(m));
        }
        return new JobPage(jobs, Yaml.num(Yaml.map(yaml), "next"));
    }
}
