package io.tribune.api;

import io.tribune.api.consensus.ConsensusFactory;
import io.tribune.api.membership.MembershipFactory;
import io.tribune.api.storage.StorageFactory;
import io.tribune.api.transport.TransportFactory;
import java.util.List;

/**
 * The one entry point of a plugin jar.
 *
 * <p>A plugin registers exactly one implementation with {@code provides io.tribune.api.Plugin with
 * ...} in its {@code module-info.java}; inside OSGi its bundle activator registers the same object
 * as a service of this interface. The host instantiates it once per process, reads its
 * {@link #descriptor()}, refuses it when the SPI versions do not match, and then asks it for the
 * factories of the areas it provides. Each method other than {@link #descriptor()} contributes
 * nothing by default, so a plugin overrides only what it offers.
 *
 * <p>Threading: all methods are called from the host's start-up thread, before any factory is
 * used; they must be cheap and must not start threads or open resources.
 */
public interface Plugin {

    /** Name, version and SPI version; must be constant for the life of the object. */
    PluginDescriptor descriptor();

    /** Storage implementations offered by this plugin. */
    default List<StorageFactory> storageFactories() {
        return List.of();
    }

    /** Transport implementations offered by this plugin. */
    default List<TransportFactory> transportFactories() {
        return List.of();
    }

    /** Consensus implementations offered by this plugin. */
    default List<ConsensusFactory> consensusFactories() {
        return List.of();
    }

    /** Membership implementations offered by this plugin. */
    default List<MembershipFactory> membershipFactories() {
        return List.of();
    }
}
