/**
 * The I/O-free SWIM protocol core: {@link io.tribune.gossip.swim.internal.core.SwimNode} (SWIM
 * failure detection and dissemination, Lifeguard's local health, dynamic suspicion and buddy
 * system, Serf's tags, leaves and user events), the wire codec and the timing presets. No
 * threads, sockets, files, wall clocks or unseeded randomness: time and randomness are inputs.
 */
package io.tribune.gossip.swim.internal.core;
