/**
 * Consul's ACL rule language and the decisions it leads to: {@link io.tribune.acl.Rules} (parsed from
 * HCL or JSON, merged per token), {@link io.tribune.acl.Authorizer} (what a token may do), and the
 * identifiers of the built-in policy and token ({@link io.tribune.acl.Builtins}). A pure library: no
 * I/O, threads or clocks.
 */
package io.tribune.acl;
