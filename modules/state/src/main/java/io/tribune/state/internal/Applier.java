package io.tribune.state.internal;

import io.tribune.state.Command;
import io.tribune.state.CommandResult;

/**
 * Executes one validated command on a {@link Tx}. A pure function of the working state and the
 * command: no clock, no randomness, no I/O; time enters only as fields of the command.
 */
public final class Applier {
    private Applier() {
    }

    /** Applies {@code c} to {@code tx} and returns its result. */
    public static CommandResult apply(Tx tx, Command c) {
        if (c instanceof Command.KvSet s) {
            return new CommandResult.Bool(KvOps.set(tx, s.key(), s.value(), s.flags(), s.cas()));
        } else if (c instanceof Command.KvDelete d) {
            return new CommandResult.Bool(KvOps.delete(tx, d.key(), d.cas()));
        } else if (c instanceof Command.KvDeleteTree d) {
            KvOps.deleteTree(tx, d.prefix());
            return new CommandResult.Bool(true);
        } else if (c instanceof Command.KvAcquire a) {
            return KvOps.acquire(tx, a.key(), a.value(), a.flags(), a.session(), a.nowMillis());
        } else if (c instanceof Command.KvRelease r) {
            return new CommandResult.Bool(KvOps.release(tx, r.key(), r.value(), r.flags(), r.session()));
        } else if (c instanceof Command.KvTxn t) {
            return KvOps.txn(tx, t.ops(), t.nowMillis());
        } else if (c instanceof Command.TombstoneReap r) {
            return new CommandResult.Count(KvOps.reap(tx, r.upToIndex(), r.nowMillis()));
        } else if (c instanceof Command.AclCommand a) {
            return AclOps.apply(tx, a);
        } else if (c instanceof Command.QueryCommand q) {
            return QueryOps.apply(tx, q);
        } else if (c instanceof Command.AutopilotSet a) {
            return AutopilotCodec.apply(tx, a);
        }
        return CatalogOps.apply(tx, c);
    }
}
