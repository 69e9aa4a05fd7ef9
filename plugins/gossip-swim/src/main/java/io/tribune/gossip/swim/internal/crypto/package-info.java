/** AES-GCM sealing of gossip traffic and the rotating keyring. */
package io.tribune.gossip.swim.internal.crypto;
