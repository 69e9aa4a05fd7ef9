package io.tribune.state.internal;

import io.tribune.state.AutopilotConfig;
import io.tribune.state.Command;
import io.tribune.state.CommandResult;
import io.tribune.state.internal.WireReader.MalformedInputException;

/**
 * Binary form and application of the autopilot command (tags {@value #FIRST}..{@value #LAST}, inside
 * the prepared-query range 110..119 whose commands use only 110 and 111) and the configuration's form
 * in commands and snapshots (fields in the record's order).
 */
final class AutopilotCodec {
    static final int FIRST = 112;
    static final int SET = 112;
    static final int LAST = 115;

    private AutopilotCodec() {
    }

    static boolean handles(int tag) {
        return tag >= FIRST && tag <= LAST;
    }

    static void encode(WireWriter w, Command.AutopilotSet c) {
        config(w.u8(SET), c.config());
        w.i64(c.casIndex());
    }

    static Command decode(int tag, WireReader r) {
        if (tag != SET) {
            throw new MalformedInputException("unknown autopilot command type " + tag);
        }
        AutopilotConfig c = config(r);
        long cas = r.i64("cas index");
        try {
            return new Command.AutopilotSet(c, cas);
        } catch (IllegalArgumentException e) {
            throw new MalformedInputException(e.getMessage());
        }
    }

    static void config(WireWriter w, AutopilotConfig c) {
        w.bool(c.cleanupDeadServers()).i64(c.lastContactThresholdMs()).i64(c.maxTrailingLogs())
                .i64(c.serverStabilizationMs()).str(c.redundancyZoneTag()).bool(c.disableUpgradeMigration())
                .str(c.upgradeVersionTag()).i64(c.createIndex()).i64(c.modifyIndex());
    }

    static AutopilotConfig config(WireReader r) {
        try {
            return new AutopilotConfig(r.bool("cleanup dead servers"), r.i64("last contact threshold"),
                    r.i64("max trailing logs"), r.i64("server stabilization time"), r.str("redundancy zone tag"),
                    r.bool("disable upgrade migration"), r.str("upgrade version tag"), r.i64("createIndex"),
                    r.i64("modifyIndex"));
        } catch (IllegalArgumentException e) {
            throw e instanceof MalformedInputException m ? m : new MalformedInputException(e.getMessage());
        }
    }

    /** Applies a set: compare-and-set on the modify index when asked, keeps the create index. */
    static CommandResult apply(Tx tx, Command.AutopilotSet c) {
        AutopilotConfig old = tx.autopilot;
        long current = old == null ? 0 : old.modifyIndex();
        if (c.casIndex() >= 0 && c.casIndex() != current) {
            return new CommandResult.Bool(false);
        }
        long create = old == null ? tx.index : old.createIndex();
        tx.autopilot = c.config().withIndexes(create, tx.index);
        tx.markDirty(); // no table or watcher: readers see it on their next request
        return new CommandResult.Bool(true);
    }
}
