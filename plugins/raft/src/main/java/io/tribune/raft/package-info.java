/**
 * The {@code raft} plugin's entry point. The protocol core, its driver and the OSGi activator live
 * in unexported {@code internal} packages; users select it by name ({@code -plugin consensus=raft}).
 */
package io.tribune.raft;
