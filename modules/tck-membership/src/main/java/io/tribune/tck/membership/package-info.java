/**
 * Conformance suite for the membership SPI. A binding extends
 * {@link io.tribune.tck.membership.MembershipConformanceTest}, names its factory, and declares
 * which {@link io.tribune.tck.membership.MembershipCapability capabilities} it lacks; for a lacking
 * capability the suite asserts the documented fallback behaviour instead of skipping the test.
 */
package io.tribune.tck.membership;
