/**
 * The membership conformance kit: {@link io.tribune.tck.membership.MembershipConformanceTest}, an
 * abstract JUnit 5 suite that a membership plugin binds with a few lines naming its factory, its
 * configuration, its {@link io.tribune.tck.membership.MembershipCapability capabilities} and the
 * {@link io.tribune.tck.membership.MembershipEnvironment environment} (simulated or real time) its
 * instances run in.
 *
 * <p>Uses {@link io.tribune.api.membership.MembershipFactory}; provides no service.
 */
module io.tribune.tck.membership {
    requires transitive io.tribune.api;
    requires transitive io.tribune.testkit;
    requires transitive org.junit.jupiter.api;

    exports io.tribune.tck.membership;
    opens io.tribune.tck.membership to org.junit.platform.commons;
}
