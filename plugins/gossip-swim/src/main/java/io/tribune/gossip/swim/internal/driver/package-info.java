/**
 * The driver around the SWIM core: UDP and TCP sockets, threads, timers, encryption and the
 * {@link io.tribune.api.membership.Membership} facade. Holds no protocol decisions.
 */
package io.tribune.gossip.swim.internal.driver;
