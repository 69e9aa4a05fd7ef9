package io.tribune.agent.cluster;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * One operation's results over a pool, added up as Consul reports them.
 *
 * @param numNodes    members asked
 * @param keys        key → members that hold it (among those that answered), sorted by key
 * @param primaryKeys key → members that encrypt with it, sorted by key
 * @param messages    member → why it failed, sorted by member name
 * @param refused     members that answered with a refusal (or stood in the way of the check)
 * @param noAnswer    members that gave no usable answer
 * @param checkOnly   whether the operation was never sent because the check before it failed:
 *                    then no keyring changed, and the other fields describe the check
 */
public record KeyringResult(int numNodes, SortedMap<String, Integer> keys, SortedMap<String, Integer> primaryKeys,
                         SortedMap<String, String> messages, int refused, int noAnswer, boolean checkOnly) {
    public KeyringResult {
        keys = Collections.unmodifiableSortedMap(new TreeMap<>(keys));
        primaryKeys = Collections.unmodifiableSortedMap(new TreeMap<>(primaryKeys));
        messages = Collections.unmodifiableSortedMap(new TreeMap<>(messages));
    }

    /** Adds up the answers of the members asked; {@code checkOnly} as in the record. */
    public static KeyringResult of(List<ClusterKeyring.MemberResult> results, boolean checkOnly) {
        TreeMap<String, Integer> keys = new TreeMap<>();
        TreeMap<String, Integer> primaries = new TreeMap<>();
        TreeMap<String, String> messages = new TreeMap<>();
        int refused = 0;
        int noAnswer = 0;
        for (ClusterKeyring.MemberResult r : results) {
            switch (r.outcome()) {
                case OK -> {
                    // A key listed twice by one member still counts that member once.
                    for (String k : new java.util.LinkedHashSet<>(r.keys())) {
                        keys.merge(k, 1, Integer::sum);
                    }
                    primaries.merge(r.keys().get(0), 1, Integer::sum);
                }
                case REFUSED -> {
                    refused++;
                    messages.put(r.node(), r.message());
                }
                case NO_ANSWER -> {
                    noAnswer++;
                    messages.put(r.node(), r.message());
                }
            }
        }
        return new KeyringResult(results.size(), keys, primaries, messages, refused, noAnswer, checkOnly);
    }

    /** Members that failed, refusals and missing answers together. */
    public int numErr() {
        return refused + noAnswer;
    }

    /** Whether every member asked succeeded. */
    public boolean ok() {
        return numErr() == 0;
    }

    /**
     * Whether the operation failed because of what the members hold, every member answered and
     * no keyring changed anywhere: the check before it failed, or every member refused. The
     * request itself is then wrong for the pool as it is (HTTP 400); a failure that is not
     * this may have changed some members (HTTP 500).
     */
    public boolean refusedUnchanged() {
        return !ok() && noAnswer == 0 && (checkOnly || refused == numNodes);
    }

    /** Consul's summary, {@code "N/M nodes reported failure"}; empty when all succeeded. */
    public Optional<String> error() {
        return ok() ? Optional.empty() : Optional.of(numErr() + "/" + numNodes + " nodes reported failure");
    }

    /**
     * The summary (with {@code "(nothing was changed)"} after a failed check) followed by one
     * line per failed member ({@code "  node: reason"}), at most {@link #ClusterKeyring.MAX_REPORTED_FAILURES}
     * of them; empty when all succeeded.
     */
    public String failureReport() {
        if (ok()) {
            return "";
        }
        StringBuilder sb = new StringBuilder(error().orElseThrow());
        if (checkOnly) {
            sb.append(" (nothing was changed)");
        }
        int n = 0;
        for (Map.Entry<String, String> e : messages.entrySet()) {
            if (n++ == ClusterKeyring.MAX_REPORTED_FAILURES) {
                sb.append("\n  ... and ").append(messages.size() - ClusterKeyring.MAX_REPORTED_FAILURES).append(" more");
                break;
            }
            sb.append("\n  ").append(e.getKey()).append(": ").append(e.getValue());
        }
        return sb.toString();
    }
}

