/**
 * An embeddable Tribune dev agent: {@link io.tribune.embedded.EmbeddedAgent} starts one in-memory
 * server inside the caller's JVM on free loopback ports and reports them as
 * {@link io.tribune.embedded.TribuneAddresses}. See {@code docs/embedding.md}.
 */
package io.tribune.embedded;
