/**
 * A JUnit 5 extension that runs an embedded Tribune agent for a test class or method:
 * {@link io.tribune.embedded.junit.TribuneAgent} and {@link io.tribune.embedded.junit.TribuneExtension}.
 * Needs {@code org.junit.jupiter.api} (5.x) at run time; the rest of the artifact does not.
 */
package io.tribune.embedded.junit;
