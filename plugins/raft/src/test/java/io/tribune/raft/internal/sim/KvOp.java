package io.tribune.raft.internal.sim;

/**
 * One client operation on a key of the simulated KV register, as recorded for the
 * linearizability check.
 *
 * @param id       unique id
 * @param key      the key
 * @param kind     PUT, CAS or GET
 * @param arg1     PUT: the value; CAS: the expected value (null = absent)
 * @param arg2     CAS: the new value
 * @param invoke   virtual time of invocation
 * @param response virtual time of response, {@code Long.MAX_VALUE} when unknown (crash, lost leadership)
 * @param output   PUT: "ok"; CAS: "ok" or "fail"; GET: the value read (null = absent); null when unknown
 */
record KvOp(long id, String key, Kind kind, String arg1, String arg2, long invoke, long response, String output) {
    enum Kind { PUT, CAS, GET }

    boolean unknown() {
        return response == Long.MAX_VALUE;
    }
}
