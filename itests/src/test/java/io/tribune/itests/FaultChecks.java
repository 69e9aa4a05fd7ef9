package io.tribune.itests;

import io.tribune.testkit.linearizability.CheckResult;
import io.tribune.testkit.linearizability.LinearizabilityChecker;
import io.tribune.testkit.linearizability.Operation;
import io.tribune.testkit.linearizability.RegisterModel;
import io.tribune.testkit.linearizability.RegisterModel.Input;
import io.tribune.testkit.linearizability.RegisterModel.Output;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The pure part of {@link FaultHarness}: how an HTTP answer to a write is classified, and what the
 * final state of every server and the recorded history say. No I/O, no clock: unit-tested with
 * made-up answers and states ({@code FaultChecksTest}).
 */
final class FaultChecks {
    private FaultChecks() {
    }

    /** How a write ended, as far as its client knows. */
    enum Outcome {
        /** Answered: done (for a CAS, swapped or not). */
        ACKED,
        /** Refused with an answer that says nothing was applied, or never sent. */
        FAILED,
        /** Sent, and the client never learned whether it applied. */
        UNKNOWN
    }

    /** Status for "the connection was refused or never made: nothing was sent". */
    static final int NOT_SENT = -1;
    /** Status for "the request may have been sent and no answer came (timeout, connection cut)". */
    static final int LOST = -2;

    /**
     * Classifies the answer to a write.
     *
     * @param status the HTTP status, or {@link #NOT_SENT} / {@link #LOST}
     * @param body   the answer's body ("" when none)
     * @param cas    whether the write was a CAS (then a 200 {@code false} is an answer too)
     */
    static Outcome writeOutcome(int status, String body, boolean cas) {
        String b = body == null ? "" : body.trim();
        if (status == 200) {
            // a plain PUT answers true; anything else from it is not understood, so assume nothing
            return b.equals("true") || (cas && b.equals("false")) ? Outcome.ACKED : Outcome.UNKNOWN;
        }
        if (status == NOT_SENT) {
            return Outcome.FAILED;
        }
        if (status == LOST) {
            return Outcome.UNKNOWN;
        }
        if ((status >= 400 && status < 500) || status == 501) {
            return Outcome.FAILED;
        }
        // Since issue 17's defect 2, an answer after the write reached a leader says its outcome is
        // unknown; only "no leader / no servers" without a "may" is a definite no.
        boolean definite = (b.startsWith("No cluster leader") || b.startsWith("No known Consul servers"))
                && !b.contains("may");
        return definite ? Outcome.FAILED : Outcome.UNKNOWN;
    }

    /** One unique-key write and how it ended. */
    record WriteRecord(String key, String value, Outcome outcome) {
    }

    /** What the checks found; the counts of {@link FaultHarness.Report}. */
    record Verdict(long acked, long lost, long duplicated, long indeterminate, long staleReads, long phantoms,
                   long unchecked, String figures, List<String> details) {
    }

    /**
     * Checks the final state against what clients were told.
     *
     * @param writes           every unique-key write
     * @param servers          the servers' names, in the order of {@code stores}
     * @param stores           each server's keys and values (read with {@code ?stale} after quiescing)
     * @param counterKey       the counter's key
     * @param ackedIncrements  CAS increments answered {@code true}
     * @param unknownIncrements CAS increments of unknown outcome
     * @param history          every recorded operation, for the linearizability check per key
     */
    static Verdict check(List<WriteRecord> writes, List<String> servers, List<Map<String, String>> stores,
                         String counterKey, long ackedIncrements, long unknownIncrements,
                         List<Operation<Input<String>, Output<String>>> history) {
        List<String> details = new ArrayList<>();
        long acked = 0;
        long lost = 0;
        long indeterminate = 0;
        long phantoms = 0;
        long failed = 0;
        for (WriteRecord w : writes) {
            switch (w.outcome()) {
                case ACKED -> {
                    acked++;
                    List<String> missing = new ArrayList<>();
                    for (int i = 0; i < stores.size(); i++) {
                        if (!w.value().equals(stores.get(i).get(w.key()))) {
                            missing.add(servers.get(i) + "=" + stores.get(i).get(w.key()));
                        }
                    }
                    if (!missing.isEmpty()) {
                        lost++;
                        detail(details, "lost " + w.key() + "=" + w.value() + " on " + missing);
                    }
                }
                case UNKNOWN -> indeterminate++;
                case FAILED -> {
                    failed++;
                    for (int i = 0; i < stores.size(); i++) {
                        if (stores.get(i).containsKey(w.key())) {
                            phantoms++;
                            detail(details, "phantom: " + w.key() + " was refused with a definite answer but is on "
                                    + servers.get(i));
                            break;
                        }
                    }
                }
            }
        }
        long duplicated = 0;
        String counters = "";
        for (int i = 0; i < stores.size(); i++) {
            String raw = stores.get(i).get(counterKey);
            long c = raw == null ? 0 : Long.parseLong(raw);
            counters += (i == 0 ? "" : "/") + raw;
            if (c < ackedIncrements) {
                lost += ackedIncrements - c;
                detail(details, "counter on " + servers.get(i) + " is " + raw + " < " + ackedIncrements
                        + " acknowledged increments");
            } else if (c > ackedIncrements + unknownIncrements) {
                duplicated += c - ackedIncrements - unknownIncrements;
                detail(details, "counter on " + servers.get(i) + " is " + c + " > " + ackedIncrements
                        + " acknowledged + " + unknownIncrements + " indeterminate increments");
            }
        }

        CheckResult lin = LinearizabilityChecker.checkPartitioned(new RegisterModel<String>(), history, Input::key);
        long stale = 0;
        long unchecked = 0;
        for (CheckResult r : lin.partitions()) {
            if (r.outcome() == CheckResult.Outcome.NOT_LINEARIZABLE) {
                stale++;
                detail(details, "not linearizable: key " + r.partition() + ": " + r.detail());
            } else if (r.outcome() == CheckResult.Outcome.UNKNOWN) {
                unchecked++;
                detail(details, "not decided: key " + r.partition() + ": " + r.detail());
            }
        }
        long reads = history.stream().filter(o -> o.input() instanceof RegisterModel.Read<String>).count();
        String figures = "writes=" + writes.size() + " (acked " + acked + ", indeterminate " + indeterminate
                + ", refused " + failed + ") increments=" + ackedIncrements + " (indeterminate " + unknownIncrements
                + ", counter " + counters + ") consistent_reads=" + reads + " keys=" + lin.partitions().size()
                + " checker_steps=" + lin.steps();
        return new Verdict(acked + ackedIncrements, lost, duplicated, indeterminate + unknownIncrements, stale,
                phantoms, unchecked, figures, details);
    }

    private static void detail(List<String> details, String d) {
        if (details.size() < 50) {
            details.add(d);
        }
    }
}
