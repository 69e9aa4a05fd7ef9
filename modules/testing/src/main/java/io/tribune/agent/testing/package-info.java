/**
 * Test support for whole agents: clusters in one JVM and fault injection on their RPC wire.
 */
package io.tribune.agent.testing;
