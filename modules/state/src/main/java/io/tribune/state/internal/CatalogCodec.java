package io.tribune.state.internal;

import io.tribune.state.Command;
import io.tribune.state.CommandResult;
import io.tribune.state.Coordinate;
import io.tribune.state.HealthCheck;
import io.tribune.state.internal.WireReader.MalformedInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Codec of the catalog, session, event and coordinate commands (tags 20 and up). */
final class CatalogCodec {
    static final int REGISTER = 20;
    static final int DEREGISTER = 21;
    static final int SESSION_CREATE = 30;
    static final int SESSION_RENEW = 31;
    static final int SESSION_DESTROY = 32;
    static final int EVENT_FIRE = 40;
    static final int COORDINATE_UPDATE = 50;

    private CatalogCodec() {
    }

    static void encode(WireWriter w, Command c) {
        if (c instanceof Command.Register reg) {
            w.u8(REGISTER);
            Records.node(w, reg.node());
            w.bool(reg.service().isPresent());
            reg.service().ifPresent(s -> Records.service(w, s));
            w.i32(reg.checks().size());
            for (HealthCheck hc : reg.checks()) {
                Records.check(w, hc);
            }
            w.i64(reg.nowMillis());
        } else if (c instanceof Command.Deregister d) {
            w.u8(DEREGISTER).str(d.node());
            optStr(w, d.serviceId());
            optStr(w, d.checkId());
            w.i64(d.nowMillis());
        } else if (c instanceof Command.SessionCreate s) {
            w.u8(SESSION_CREATE);
            Records.session(w, s.session());
        } else if (c instanceof Command.SessionRenew s) {
            w.u8(SESSION_RENEW).str(s.id()).i64(s.nowMillis());
        } else if (c instanceof Command.SessionDestroy s) {
            w.u8(SESSION_DESTROY).str(s.id()).i64(s.nowMillis());
        } else if (c instanceof Command.EventFire e) {
            w.u8(EVENT_FIRE);
            Records.event(w, e.event());
        } else if (c instanceof Command.CoordinateUpdate u) {
            w.u8(COORDINATE_UPDATE).i32(u.coordinates().size());
            for (Coordinate co : u.coordinates()) {
                Records.coordinate(w, co);
            }
        } else {
            throw new IllegalArgumentException("no encoding for " + c.getClass().getSimpleName());
        }
    }

    static Command decode(int tag, WireReader r) {
        switch (tag) {
            case REGISTER -> {
                var node = Records.node(r);
                var svc = r.bool("has service") ? Optional.of(Records.service(r)) : Optional.<io.tribune.state.NodeService>empty();
                int n = r.count("checks", Records.MAX_LIST);
                List<HealthCheck> checks = new ArrayList<>(Math.min(n, 256));
                for (int i = 0; i < n; i++) {
                    checks.add(Records.check(r));
                }
                return new Command.Register(node, svc, checks, r.i64("now"));
            }
            case DEREGISTER -> {
                return new Command.Deregister(r.str("node"), optStr(r), optStr(r), r.i64("now"));
            }
            case SESSION_CREATE -> {
                return new Command.SessionCreate(Records.session(r));
            }
            case SESSION_RENEW -> {
                return new Command.SessionRenew(r.str("session id"), r.i64("now"));
            }
            case SESSION_DESTROY -> {
                return new Command.SessionDestroy(r.str("session id"), r.i64("now"));
            }
            case EVENT_FIRE -> {
                return new Command.EventFire(Records.event(r));
            }
            case COORDINATE_UPDATE -> {
                int n = r.count("coordinates", Records.MAX_LIST);
                List<Coordinate> cs = new ArrayList<>(Math.min(n, 1024));
                for (int i = 0; i < n; i++) {
                    cs.add(Records.coordinate(r));
                }
                return new Command.CoordinateUpdate(cs);
            }
            default -> throw new MalformedInputException("unknown command type " + tag);
        }
    }

    static void encodeResult(WireWriter w, CommandResult res) {
        throw new IllegalArgumentException("no encoding for " + res.getClass().getSimpleName());
    }

    static CommandResult decodeResult(int tag, WireReader r) {
        throw new MalformedInputException("unknown result type " + tag);
    }

    private static void optStr(WireWriter w, Optional<String> s) {
        w.bool(s.isPresent());
        w.str(s.orElse(""));
    }

    private static Optional<String> optStr(WireReader r) {
        boolean present = r.bool("optional flag");
        String s = r.str("optional string");
        return present ? Optional.of(s) : Optional.empty();
    }
}
