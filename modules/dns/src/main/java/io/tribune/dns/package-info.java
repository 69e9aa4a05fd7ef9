/**
 * The DNS interface of a Tribune agent: {@link io.tribune.dns.DnsService}, the agent extension
 * that serves Consul-compatible {@code .consul} names over UDP and TCP on the agent's DNS port.
 */
package io.tribune.dns;
