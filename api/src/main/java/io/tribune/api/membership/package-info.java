/**
 * Membership SPI: who is in the cluster, who has failed, and events broadcast to all.
 *
 * <p>A membership plugin implements {@link io.tribune.api.membership.MembershipFactory}. One agent
 * may run two instances: the LAN pool (every agent of a datacenter) and, on servers, the WAN pool
 * (servers of every datacenter), distinguished by {@link io.tribune.api.membership.Pool}.
 *
 * <p>Members carry string tags (role, datacenter, ports, versions) that the host uses to find
 * servers; tag changes are disseminated like any other state change.
 *
 * <p>An instance may also offer {@link io.tribune.api.membership.MemberQueries queries}
 * (reached through {@link io.tribune.api.membership.Membership#queries()}): a request
 * disseminated to every member, whose handlers answer straight to the querying node, which
 * collects a {@link io.tribune.api.membership.QueryResult} of one
 * {@link io.tribune.api.membership.MemberAnswer} per asked member.
 */
package io.tribune.api.membership;
