/**
 * Storage SPI: where consensus keeps its log, its small durable state and its snapshots.
 *
 * <p>A storage plugin implements {@link io.tribune.api.storage.StorageFactory}, which creates one
 * {@link io.tribune.api.storage.Storage} per consensus instance, made of a
 * {@link io.tribune.api.storage.LogStore}, a {@link io.tribune.api.storage.StableStore} and a
 * {@link io.tribune.api.storage.SnapshotStore}.
 *
 * <p><b>Durability.</b> A durable plugin (its descriptor says so) guarantees that when a write
 * method returns normally, the data survives a crash of the process and of the machine (it has been
 * fsynced). A non-durable plugin keeps the same ordering and atomicity contracts in memory only.
 * Consensus relies on this: it acknowledges a client only after the entry's append has returned
 * on a majority.
 *
 * <p><b>Failure.</b> Write methods never drop data silently: an I/O error, a full disk or a
 * closed store fails the call with {@link io.tribune.api.storage.StorageException}, after which
 * the store's state is as if the call had not happened or had completed, never partly (for a log
 * append: a prefix of the batch may survive a crash, never a gap). Corrupt data read back is
 * reported with {@link io.tribune.api.storage.CorruptionException}, naming where it is.
 */
package io.tribune.api.storage;
