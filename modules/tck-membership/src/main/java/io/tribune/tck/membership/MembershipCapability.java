package io.tribune.tck.membership;

import java.util.EnumSet;
import java.util.Set;

/**
 * Optional abilities of a membership plugin. The kit reads them from the plugin's descriptor
 * ({@link #fromDeclared}: the plugin declares them once, as {@link io.tribune.api.Capability}s);
 * a binding may narrow them in {@link MembershipConformanceTest#capabilities()} for a configuration
 * that turns one off; for a plugin that declares none the default is every capability. When a
 * capability is missing, the tests that need it do not skip: they assert the behaviour documented
 * here for its absence, so a plugin cannot silently claim less than it does, nor more.
 */
public enum MembershipCapability {
    /**
     * Instances reach each other: {@code join} contacts the seed and both sides see each other;
     * tags, leaves and user events spread to every member.
     *
     * <p><b>When absent</b> (a local-only plugin such as {@code membership-static}): {@code join}
     * records each seed as an ALIVE member named by its {@code host:port} and emits JOIN locally, and
     * the seed's own view is unchanged; tag updates, leaves and user events are seen only by the
     * node that made them.
     */
    PEERS,
    /**
     * Members that stop without leaving are eventually reported FAILED. Implies {@link #PEERS}.
     *
     * <p><b>When absent</b>: a member that stops without leaving stays in the others' lists with
     * the status they last knew, and no FAILED event is ever emitted.
     */
    FAILURE_DETECTION,
    /**
     * The instance offers {@link io.tribune.api.membership.MemberQueries queries}:
     * {@link io.tribune.api.membership.Membership#queries()} returns the same instance on every
     * call, before and after start. Without {@link #PEERS} a query asks the members in the local
     * view; the local handler answers and every other member is reported
     * {@link io.tribune.api.membership.MemberAnswer.Outcome#NO_ANSWER} at the timeout (as
     * {@code membership-static} documents).
     *
     * <p><b>When absent</b>: {@code queries()} returns an empty {@code Optional}, on every call;
     * the query tests assert exactly that.
     */
    QUERIES;

    /** The descriptor's {@link io.tribune.api.Capability} that states this one. */
    public io.tribune.api.Capability declaredAs() {
        return switch (this) {
            case PEERS -> io.tribune.api.Capability.PEERS;
            case FAILURE_DETECTION -> io.tribune.api.Capability.FAILURE_DETECTION;
            case QUERIES -> io.tribune.api.Capability.QUERIES;
        };
    }

    /**
     * The kit's capabilities that {@code descriptor} declares (a plugin declares them once, in its
     * descriptor; see {@link #declaredAs()}). For a descriptor that declares none: every capability,
     * the kit's default.
     */
    public static Set<MembershipCapability> fromDeclared(io.tribune.api.PluginDescriptor descriptor) {
        EnumSet<MembershipCapability> out = EnumSet.noneOf(MembershipCapability.class);
        for (MembershipCapability c : values()) {
            if (descriptor.supports(c.declaredAs())) {
                out.add(c);
            }
        }
        return out;
    }

    /** The capabilities this one needs to be meaningful. */
    public Set<MembershipCapability> implies() {
        return this == FAILURE_DETECTION ? EnumSet.of(PEERS) : EnumSet.noneOf(MembershipCapability.class);
    }

    /**
     * Checks that a declared set is consistent.
     *
     * @throws IllegalStateException naming the capability whose implied capability is missing
     */
    public static void checkConsistent(Set<MembershipCapability> declared) {
        for (MembershipCapability c : declared) {
            for (MembershipCapability needed : c.implies()) {
                if (!declared.contains(needed)) {
                    throw new IllegalStateException("capability " + c + " implies " + needed
                            + ", which the binding does not declare");
                }
            }
        }
    }
}
